import { afterEach, describe, expect, it, vi } from 'vitest';
import { appStatusOf, reportStatusToHost } from './hostStatus';
import { setState, type CallPhase, type CallView } from '../store/appStore';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';

function call(phase: CallPhase, video = false): CallView {
  return {
    callId: CALL_ID,
    direction: phase === 'incoming' ? 'incoming' : 'outgoing',
    peer: 'bob',
    phase,
    video,
    peerTrust: null,
    e2ee: null,
    e2eeWanted: { mine: true, peer: null },
    muted: false,
    onHold: false,
    peerOnHold: false,
    cameraOff: false,
    sharingScreen: false,
    activeSince: null,
    counters: null,
    stats: null,
    remoteStream: null,
    inviteProblem: null,
  };
}

describe('appStatusOf', () => {
  it('is available with no call, or do not disturb when the user chose it', () => {
    expect(appStatusOf({ call: null, doNotDisturb: false })).toEqual({ presence: 'available', incomingCall: null });
    expect(appStatusOf({ call: null, doNotDisturb: true })).toEqual({ presence: 'dnd', incomingCall: null });
  });

  it('names the call ringing here, without counting it as a call in progress', () => {
    expect(appStatusOf({ call: call('incoming', true), doNotDisturb: false })).toEqual({
      presence: 'available',
      incomingCall: { callId: CALL_ID, from: 'bob', video: true },
    });
  });

  it.each<CallPhase>(['dialing', 'ringing', 'connecting', 'active'])('is in a call while %s', (phase) => {
    expect(appStatusOf({ call: call(phase), doNotDisturb: true })).toEqual({ presence: 'in-call', incomingCall: null });
  });

  it('is not in a call while the user decides about a changed key', () => {
    expect(appStatusOf({ call: call('confirm-key-change'), doNotDisturb: false }).presence).toBe('available');
  });
});

describe('reportStatusToHost', () => {
  let stop: () => void = () => undefined;
  afterEach(() => {
    stop();
    setState({ call: null, doNotDisturb: false });
  });

  it('sends the status at once and again only when it changes', async () => {
    const appStatus = vi.fn((_status: unknown) => Promise.resolve(null));
    stop = reportStatusToHost({ calls: { 'app.status': appStatus } as never });
    setState({ notice: 'unrelated' });
    setState({ call: call('incoming') });
    setState({ call: { ...call('incoming'), muted: true } });
    setState({ call: call('connecting') });
    setState({ call: null });

    expect(appStatus.mock.calls.map(([status]) => status)).toEqual([
      { presence: 'available', incomingCall: null },
      { presence: 'available', incomingCall: { callId: CALL_ID, from: 'bob', video: false } },
      { presence: 'in-call', incomingCall: null },
      { presence: 'available', incomingCall: null },
    ]);
  });

  it('stops when told to, and shrugs off a host that fails', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const appStatus = vi.fn((_status: unknown) => Promise.reject(new Error('host gone')));
    stop = reportStatusToHost({ calls: { 'app.status': appStatus } as never });
    stop();
    setState({ call: call('active') });
    await Promise.resolve();

    expect(appStatus).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith('Could not report the app status to the host:', 'host gone');
    warn.mockRestore();
  });
});
