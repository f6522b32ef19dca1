import { describe, expect, it } from 'vitest';
import { callE2eeState, captureUnavailable, changeNotice, recordingClock } from './captureView';
import { CALL_E2EE_STATE } from '../../shared/e2ee/callSecurity';
import type { CallE2eeView } from '../store/appStore';

const CODE = '12345678901234567890';

describe('the Record and Transcribe controls', () => {
  it('are disabled with the reason while the call is, or is becoming, end-to-end encrypted', () => {
    for (const e2ee of [{ state: 'handshaking' as const }, { state: 'established' as const, securityCode: CODE, peerTrust: 'new' as const }]) {
      expect(captureUnavailable({ phase: 'active', e2ee })).toBe('Unavailable: this call is end-to-end encrypted');
    }
    expect(captureUnavailable({ phase: 'active', e2ee: { state: 'failed', reason: 'x' } })).toBe('Unavailable: this call is end-to-end encrypted');
  });

  it('wait for the encryption to be settled and the call to connect', () => {
    expect(captureUnavailable({ phase: 'connecting', e2ee: null })).toBe('Unavailable until the call’s encryption is settled');
    expect(captureUnavailable({ phase: 'connecting', e2ee: { state: 'standard', reason: 'peer-off' } })).toBe('Available once the call is connected');
    expect(captureUnavailable({ phase: 'active', e2ee: { state: 'standard', reason: 'peer-off' } })).toBeNull();
  });

  it('read the call as the host’s policy does', () => {
    expect(callE2eeState(null)).toBe('pending');
    expect(callE2eeState({ state: 'standard', reason: 'both-off' })).toBe('off');
    for (const state of ['standard', 'handshaking', 'established', 'failed'] as const) {
      expect(callE2eeState({ state } as CallE2eeView)).toBe(CALL_E2EE_STATE[state]);
    }
    expect(callE2eeState({ state: 'handshaking' })).toBe('active');
  });
});

describe('capture notices', () => {
  const off = { recording: false, transcribing: false };
  it('say who started or stopped what, to both parties', () => {
    expect(changeNotice(off, { recording: true, transcribing: false }, 'alice', 'bob')).toBe('alice started recording this call.');
    expect(changeNotice(off, { recording: true, transcribing: false }, 'alice', 'alice')).toBe('You started recording this call.');
    expect(changeNotice({ recording: true, transcribing: false }, { recording: true, transcribing: true }, 'bob', 'alice')).toBe(
      'bob started transcribing this call.',
    );
    expect(changeNotice({ recording: true, transcribing: true }, { recording: true, transcribing: false }, 'bob', 'bob')).toBe('You stopped transcribing.');
    expect(changeNotice({ recording: true, transcribing: false }, off, 'alice', 'bob')).toBe('alice stopped recording.');
    expect(changeNotice(off, off, 'alice', 'bob')).toBeNull();
  });

  it('show times within a recording as m:ss', () => {
    expect(recordingClock(0)).toBe('0:00');
    expect(recordingClock(61_900)).toBe('1:01');
  });
});
