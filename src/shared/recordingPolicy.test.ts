import { describe, expect, it } from 'vitest';
import { CaptureDecision, captureUnavailableReason, decideCapture, E2EE_CAPTURE_REASON } from './recordingPolicy';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const OTHER_CALL = 'ZZECAwQFBgcICQoLDA0ODw';

describe('decideCapture', () => {
  it.each(['recording', 'transcription'] as const)('allows %s only in a call whose encryption is settled as standard', (kind) => {
    expect(decideCapture({ callId: CALL_ID, kind }, { callId: CALL_ID, e2ee: 'off' })).toEqual({ allowed: true });
  });

  it.each(['recording', 'transcription'] as const)('refuses %s while the call is end-to-end encrypted, with the reason the UI shows', (kind) => {
    expect(decideCapture({ callId: CALL_ID, kind }, { callId: CALL_ID, e2ee: 'active' })).toEqual({
      allowed: false,
      refusal: 'end-to-end-encrypted',
      message: E2EE_CAPTURE_REASON,
    });
  });

  it('refuses when end-to-end encryption failed: the call is being torn down, not downgraded', () => {
    expect(decideCapture({ callId: CALL_ID, kind: 'recording' }, { callId: CALL_ID, e2ee: 'failed' })).toMatchObject({
      allowed: false,
      refusal: 'end-to-end-encrypted',
    });
  });

  it('refuses while the encryption is not settled: the call may still become end-to-end encrypted', () => {
    const decision = decideCapture({ callId: CALL_ID, kind: 'transcription' }, { callId: CALL_ID, e2ee: 'pending' });
    expect(decision).toMatchObject({ allowed: false, refusal: 'not-settled' });
  });

  it('refuses with no call, or for a call other than the one in progress', () => {
    expect(decideCapture({ callId: CALL_ID, kind: 'recording' }, null)).toEqual({
      allowed: false,
      refusal: 'no-call',
      message: 'There is no call in progress on this device to record',
    });
    expect(decideCapture({ callId: OTHER_CALL, kind: 'transcription' }, { callId: CALL_ID, e2ee: 'off' })).toMatchObject({
      allowed: false,
      refusal: 'no-call',
      message: 'There is no call in progress on this device to transcribe',
    });
  });

  it('gives decisions the bridge contract accepts', () => {
    for (const e2ee of ['off', 'active', 'failed', 'pending'] as const) {
      expect(CaptureDecision.safeParse(decideCapture({ callId: CALL_ID, kind: 'recording' }, { callId: CALL_ID, e2ee })).success).toBe(true);
    }
  });
});

describe('captureUnavailableReason', () => {
  it('is null only for a standard call', () => {
    expect(captureUnavailableReason('off')).toBeNull();
    expect(captureUnavailableReason('active')?.message).toBe('Unavailable: this call is end-to-end encrypted');
    expect(captureUnavailableReason('pending')?.refusal).toBe('not-settled');
  });
});
