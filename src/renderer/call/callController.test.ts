// The call controller against a fake host and server, with the browser's media faked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallController } from './callController';
import type { ContactsController } from '../contacts/contactsController';
import type { HostBridge } from '../host/bridge';
import { FakePeerConnection, installFakeMedia, type FakeStream } from '../media/fakeMedia';
import type { ServerConnection } from '../signaling/serverConnection';
import { getState, setState } from '../store/appStore';
import type { Sounds } from '../ui/sounds';
import type { HostCalls, HostEvent, IdentityInfo, InviteCheck, PeerTrust } from '../../shared/bridge';
import type { ClientMessageBody, E2eeDecision, ServerMessage } from '../../shared/protocol';
import { SignalingError } from '../../shared/signalingClient';

const BOB_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

const decision = (role: 'caller' | 'callee'): E2eeDecision => ({
  e2ee: false,
  role,
  handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256',
  issuedAt: Date.now(),
  signature: 'x',
});

function harness() {
  const messageListeners: ((message: ServerMessage) => void)[] = [];
  const server = {
    online: true,
    onMessage: (listener: (message: ServerMessage) => void) => messageListeners.push(listener),
    onSession: () => () => undefined,
    send: vi.fn((_message: ClientMessageBody) => undefined),
    request: vi.fn(async (message: ClientMessageBody): Promise<ServerMessage> => {
      switch (message.type) {
        case 'lookup':
          return { type: 'lookup.result', handle: message.handle, publicKey: BOB_KEY } as ServerMessage;
        case 'media.publish':
          return { type: 'media.answer', callId: message.callId, jsep: { type: 'answer', sdp: '' } } as ServerMessage;
        default:
          return { type: 'ok' } as ServerMessage;
      }
    }),
  };
  const calls = {
    'call.prepare': vi.fn(async ({ role }: { role: 'caller' | 'callee' }): Promise<{ decision: E2eeDecision; peerTrust: PeerTrust }> => ({
      decision: decision(role),
      peerTrust: 'pinned',
    })),
    'call.checkInvite': vi.fn(async (): Promise<InviteCheck> => ({ verdict: 'live', reason: null })),
    'e2ee.begin': vi.fn(async () => ({ status: { state: 'standard' as const, reason: 'both-off' as const }, send: null })),
    'call.end': vi.fn(async () => undefined),
  };
  const hostListeners: ((event: HostEvent) => void)[] = [];
  const host = {
    kind: 'web',
    calls: calls as unknown as HostCalls,
    onEvent: (listener: (event: HostEvent) => void) => {
      hostListeners.push(listener);
      return () => undefined;
    },
  } as unknown as HostBridge;
  const sounds: Sounds = { ring: vi.fn(), ringback: vi.fn(), stop: vi.fn(), testTone: vi.fn(async () => undefined) };
  const contacts = { record: vi.fn(async () => undefined), refreshContacts: vi.fn(async () => undefined) } as unknown as ContactsController;
  const controller = new CallController(host, server as unknown as ServerConnection, sounds, contacts);
  const emit = (message: object) => messageListeners.forEach((listener) => listener(message as ServerMessage));
  const sent = (type: string) => server.send.mock.calls.map(([message]) => message).filter((message) => message.type === type);
  const hostEvent = (event: HostEvent) => hostListeners.forEach((listener) => listener(event));
  return { controller, server, calls, emit, sent, hostEvent };
}

let media: ReturnType<typeof installFakeMedia>;

beforeEach(() => {
  media = installFakeMedia();
  setState({
    identity: { handle: 'alice', publicKey: BOB_KEY, fingerprint: 'f' } as IdentityInfo,
    settings: null,
    call: null,
    lastEnded: null,
    notice: null,
    dialRequest: null,
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Dials bob and lets him accept: the call's media is captured and published. */
async function dialAndAccept(h: ReturnType<typeof harness>, before: () => void): Promise<string> {
  await h.controller.dial('bob', { video: true });
  const callId = getState().call!.callId;
  before();
  h.emit({ type: 'call.accepted', callId, decision: decision('callee'), roomE2ee: false });
  await vi.waitFor(() => expect(h.server.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'media.publish' })));
  return callId;
}

const enabled = (stream: FakeStream) => ({
  audio: stream.getAudioTracks().map((track) => track.enabled),
  video: stream.getVideoTracks().map((track) => track.enabled),
});

describe('CallController: what is sent matches the buttons', () => {
  it('keeps the microphone muted when Mute was pressed while the call was still ringing', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => h.controller.toggleMute());
    expect(getState().call?.muted).toBe(true);
    expect(enabled(media.captured[0]!)).toEqual({ audio: [false], video: [true] });

    h.controller.toggleMute();
    expect(enabled(media.captured[0]!)).toEqual({ audio: [true], video: [true] });
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });

  it("sends nothing while either side holds the call: Hold here, or the peer's call.hold", async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => undefined);
    const senders = () => FakePeerConnection.created[0]!.senders.map((sender) => sender.track?.kind ?? 'none');
    await vi.waitFor(() => expect(senders()).toEqual(['audio', 'video']));

    h.controller.toggleHold();
    expect(h.sent('call.hold')).toEqual([{ type: 'call.hold', callId, onHold: true }]);
    await vi.waitFor(() => expect(senders()).toEqual(['none', 'none']));
    h.controller.toggleHold();
    await vi.waitFor(() => expect(senders()).toEqual(['audio', 'video']));

    h.emit({ type: 'call.hold', callId, onHold: true, by: 'bob' });
    expect(getState().call?.peerOnHold).toBe(true);
    await vi.waitFor(() => expect(senders()).toEqual(['none', 'none']));
    h.emit({ type: 'call.hold', callId, onHold: false, by: 'bob' });
    await vi.waitFor(() => expect(senders()).toEqual(['audio', 'video']));
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });

  it('sends nothing from the first packet when the peer held the call before the media started', async () => {
    const h = harness();
    let callId = '';
    await dialAndAccept(h, () => {
      callId = getState().call!.callId;
      h.emit({ type: 'call.hold', callId, onHold: true, by: 'bob' });
    });
    await vi.waitFor(() => expect(FakePeerConnection.created[0]?.offeredTracks).toEqual([null, null]));
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });

  it('keeps the camera off when it was turned off before the media started', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => h.controller.toggleCamera());
    expect(getState().call?.cameraOff).toBe(true);
    expect(enabled(media.captured[0]!)).toEqual({ audio: [true], video: [false] });
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });
});

describe('CallController: screen sharing', () => {
  const videoSender = () => FakePeerConnection.created[0]!.senders[1]!;

  it('sends the chosen screen in place of the camera, and the camera again on Stop sharing', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => undefined);
    const camera = media.captured[0]!.getVideoTracks()[0];
    await vi.waitFor(() => expect(videoSender().track).toBe(camera));
    await h.controller.shareScreen();
    expect(media.getDisplayMedia).toHaveBeenCalledWith({ video: true, audio: false });
    expect(getState().call?.sharingScreen).toBe(true);
    const screen = videoSender().track!;
    expect(screen).not.toBe(camera);
    await h.controller.stopScreenShare();
    expect(getState().call?.sharingScreen).toBe(false);
    expect(videoSender().track).toBe(camera);
    expect(screen.stop).toHaveBeenCalled();
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });

  it('follows a share stopped from outside the app (the capture ended)', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => undefined);
    await h.controller.shareScreen();
    videoSender().track!.onended?.();
    await vi.waitFor(() => expect(getState().call?.sharingScreen).toBe(false));
    expect(videoSender().track).toBe(media.captured[0]!.getVideoTracks()[0]);
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });

  it('changes nothing and says nothing when the user cancels the picker', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => undefined);
    media.getDisplayMedia.mockRejectedValueOnce(new DOMException('Permission denied', 'NotAllowedError'));
    await h.controller.shareScreen();
    expect(getState().call?.sharingScreen).toBe(false);
    expect(getState().notice).toBeNull();
    media.getDisplayMedia.mockRejectedValueOnce(new DOMException('no screen', 'NotFoundError'));
    await h.controller.shareScreen();
    expect(getState().notice).toBe('The screen could not be shared: no screen');
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const INVITE = { type: 'call.incoming', callId: 'BBBBBBBBBBBBBBBBBBBBBB', from: 'carol', fromKey: BOB_KEY, video: false, decision: decision('caller') };

describe('CallController: one call at a time while a call is being set up', () => {
  it('declines an invite that arrives while a dial is still looking the peer up, and the dial goes on', async () => {
    const h = harness();
    const lookup = deferred<ServerMessage>();
    h.server.request.mockImplementationOnce(() => lookup.promise);
    const dialing = h.controller.dial('bob', { video: false });
    h.emit(INVITE);
    await vi.waitFor(() => expect(h.sent('call.decline')).toEqual([{ type: 'call.decline', callId: INVITE.callId }]));
    lookup.resolve({ type: 'lookup.result', handle: 'bob', publicKey: BOB_KEY } as ServerMessage);
    await dialing;
    expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1);
    expect(getState().call).toMatchObject({ peer: 'bob', phase: 'dialing' });
  });

  it('declines an invite that arrives while the host prepares a dialed call', async () => {
    const h = harness();
    const prepare = deferred<{ decision: E2eeDecision; peerTrust: 'pinned' }>();
    h.calls['call.prepare'].mockImplementationOnce(() => prepare.promise);
    const dialing = h.controller.dial('bob', { video: false });
    await vi.waitFor(() => expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1));
    h.emit(INVITE);
    await vi.waitFor(() => expect(h.sent('call.decline')).toEqual([{ type: 'call.decline', callId: INVITE.callId }]));
    prepare.resolve({ decision: decision('caller'), peerTrust: 'pinned' });
    await dialing;
    expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1);
    expect(getState().call).toMatchObject({ peer: 'bob', phase: 'dialing' });
  });

  it('refuses to dial while an invite is being prepared, and rings for the invite', async () => {
    const h = harness();
    const prepare = deferred<{ decision: E2eeDecision; peerTrust: 'pinned' }>();
    h.calls['call.prepare'].mockImplementationOnce(() => prepare.promise);
    h.emit(INVITE);
    await vi.waitFor(() => expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1));
    await h.controller.dial('bob', { video: false });
    expect(getState().notice).toBe('You are already in a call.');
    prepare.resolve({ decision: decision('callee'), peerTrust: 'pinned' });
    await vi.waitFor(() => expect(getState().call).toMatchObject({ peer: 'carol', phase: 'incoming' }));
    expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1);
    expect(h.sent('call.decline')).toEqual([]);
  });

  it('says plainly when the server refuses a call for its limits, and frees the slot', async () => {
    const h = harness();
    const answer = h.server.request.getMockImplementation()!;
    h.server.request.mockImplementation(async (message) =>
      message.type === 'call.invite' ? Promise.reject(new SignalingError('rate-limited', 'Too many calls to bob: try again in 40 seconds')) : answer(message),
    );
    await h.controller.dial('bob', { video: false });
    await vi.waitFor(() => expect(getState().notice).toBe('Too many calls to bob: try again in 40 seconds'));
    expect(getState().call).toBeNull();
    expect(getState().lastEnded).toBeNull();
  });

  it('stops ringing on its own when the server never says the call ended', async () => {
    vi.useFakeTimers();
    try {
      const h = harness();
      h.emit(INVITE);
      await vi.waitFor(() => expect(getState().call).toMatchObject({ peer: 'carol', phase: 'incoming' }));
      await vi.advanceTimersByTimeAsync(59_000);
      expect(getState().call).not.toBeNull();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(getState().call).toBeNull();
      expect(getState().lastEnded).toMatchObject({ peer: 'carol', direction: 'incoming', reason: 'no-answer' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('clears the ringing screen when Decline is refused because the server does not know the call', async () => {
    const h = harness();
    h.server.request.mockImplementationOnce(async () => {
      throw new SignalingError('no-such-call', 'no such call');
    });
    h.emit(INVITE);
    await vi.waitFor(() => expect(getState().call).toMatchObject({ phase: 'incoming' }));
    h.controller.decline();
    await vi.waitFor(() => expect(getState().call).toBeNull());
    expect(h.server.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'call.decline' }));
    expect(getState().lastEnded).toMatchObject({ peer: 'carol', reason: 'declined', byMe: true });
  });

  it('tells the user when the host cannot prepare a dialed call, and frees the slot', async () => {
    const h = harness();
    h.calls['call.prepare'].mockRejectedValueOnce(
      new Error("Error invoking remote method 'softphone:call.prepare': Error: the contacts file could not be read"),
    );
    await h.controller.dial('bob', { video: false });
    expect(getState().notice).toBe('The call to bob could not be set up: the contacts file could not be read');
    expect(getState().call).toBeNull();
    await h.controller.dial('bob', { video: false });
    expect(getState().call).toMatchObject({ peer: 'bob', phase: 'dialing' });
  });

  it('declines an invite the host cannot prepare, tells the user, and frees the slot', async () => {
    const h = harness();
    h.calls['call.prepare'].mockRejectedValueOnce(new Error('a public key is 32 bytes'));
    h.emit(INVITE);
    await vi.waitFor(() => expect(h.sent('call.decline')).toEqual([{ type: 'call.decline', callId: INVITE.callId }]));
    expect(getState().notice).toBe('The call from carol could not be taken: a public key is 32 bytes');
    expect(getState().call).toBeNull();
    await h.controller.dial('bob', { video: false });
    expect(getState().call).toMatchObject({ peer: 'bob', phase: 'dialing' });
  });
});

describe('CallController: the phone rings only for live invites', () => {
  const OTHER = { ...INVITE, callId: 'CCCCCCCCCCCCCCCCCCCCCC' };

  it('never rings for a replayed or stale invite, and never answers it', async () => {
    const h = harness();
    h.calls['call.checkInvite'].mockResolvedValueOnce({ verdict: 'replayed', reason: 'this call was already rung on this device' });
    h.calls['call.checkInvite'].mockResolvedValueOnce({ verdict: 'stale', reason: 'the invite was signed 300 s ago' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    h.emit(INVITE);
    h.emit(OTHER);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
    warn.mockRestore();
    expect(h.calls['call.checkInvite']).toHaveBeenCalledWith({ callId: INVITE.callId, peerHandle: 'carol', peerKey: BOB_KEY, decision: INVITE.decision });
    expect(h.calls['call.prepare']).not.toHaveBeenCalled();
    expect(getState().call).toBeNull();
    expect(h.sent('call.decline')).toEqual([]);
  });

  it('rings on with the same invite sent again, and declines nothing', async () => {
    const h = harness();
    h.emit(INVITE);
    h.emit(INVITE);
    await vi.waitFor(() => expect(getState().call).toMatchObject({ callId: INVITE.callId, phase: 'incoming' }));
    h.emit(INVITE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1);
    expect(getState().call).toMatchObject({ callId: INVITE.callId, phase: 'incoming' });
    expect(h.sent('call.decline')).toEqual([]);
  });

  it('a ring the server no longer knows gives way to a live invite: the real call rings, not declined as busy', async () => {
    const h = harness();
    h.emit(INVITE);
    await vi.waitFor(() => expect(getState().call).toMatchObject({ callId: INVITE.callId, phase: 'incoming' }));
    h.emit(OTHER);
    await vi.waitFor(() => expect(getState().call).toMatchObject({ callId: OTHER.callId, phase: 'incoming' }));
    expect(h.sent('call.decline')).toEqual([]);
    expect(h.calls['call.end']).toHaveBeenCalledWith({ callId: INVITE.callId });
    await h.controller.accept();
    expect(h.server.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'call.accept', callId: OTHER.callId }));
  });

  it('rings for an invite whose signed decision does not verify, with the warning at once; it pushes no call aside', async () => {
    const h = harness();
    const reason = 'the decision signature does not match this call, setting, keys, handshake and time';
    h.calls['call.checkInvite'].mockResolvedValue({ verdict: 'unverified', reason });
    h.emit(INVITE);
    await vi.waitFor(() => expect(getState().call).toMatchObject({ callId: INVITE.callId, phase: 'incoming', inviteProblem: reason }));
    h.emit(OTHER);
    await vi.waitFor(() => expect(h.sent('call.decline')).toEqual([{ type: 'call.decline', callId: OTHER.callId }]));
    expect(getState().call).toMatchObject({ callId: INVITE.callId, phase: 'incoming' });
  });

  it('does not ring for a call whose end came while its invite was being checked or prepared', async () => {
    const h = harness();
    const check = deferred<InviteCheck>();
    h.calls['call.checkInvite'].mockImplementationOnce(() => check.promise);
    h.emit(INVITE);
    h.emit({ type: 'call.ended', callId: INVITE.callId, reason: 'cancelled', by: 'carol' });
    check.resolve({ verdict: 'live', reason: null });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.calls['call.prepare']).not.toHaveBeenCalled();
    expect(getState().call).toBeNull();

    const prepare = deferred<{ decision: E2eeDecision; peerTrust: PeerTrust }>();
    h.calls['call.prepare'].mockImplementationOnce(() => prepare.promise);
    h.emit(OTHER);
    await vi.waitFor(() => expect(h.calls['call.prepare']).toHaveBeenCalledTimes(1));
    h.emit({ type: 'call.ended', callId: OTHER.callId, reason: 'cancelled', by: 'carol' });
    prepare.resolve({ decision: decision('callee'), peerTrust: 'pinned' });
    await vi.waitFor(() => expect(getState().lastEnded).toMatchObject({ callId: OTHER.callId, reason: 'cancelled', byMe: false }));
    expect(getState().call).toBeNull();
    expect(h.calls['call.end']).toHaveBeenCalledWith({ callId: OTHER.callId });
    expect(h.sent('call.decline')).toEqual([]);
  });

  it('sets a call confirmed after a key change up afresh, so its invite is signed when it is sent', async () => {
    const h = harness();
    h.calls['call.prepare'].mockImplementation(async ({ role }) => ({ decision: decision(role), peerTrust: 'changed' }));
    await h.controller.dial('bob', { video: true });
    const first = getState().call!;
    expect(first).toMatchObject({ phase: 'confirm-key-change' });
    await h.controller.confirmKeyChange();
    expect(h.calls['call.end']).toHaveBeenCalledWith({ callId: first.callId });
    expect(h.calls['call.prepare']).toHaveBeenCalledTimes(2);
    const second = getState().call!;
    expect(second).toMatchObject({ phase: 'dialing', peer: 'bob', video: true, peerTrust: 'changed' });
    expect(second.callId).not.toBe(first.callId);
    const invites = h.server.request.mock.calls.map(([message]) => message).filter((message) => message.type === 'call.invite');
    expect(invites).toEqual([expect.objectContaining({ callId: second.callId, to: 'bob' })]);
    expect(getState().lastEnded).toBeNull();
  });
});

describe('CallController: failures in words for the user', () => {
  it('shows a failed host step without Electron’s wrapper', async () => {
    const h = harness();
    h.calls['e2ee.begin'].mockRejectedValueOnce(new Error("Error invoking remote method 'softphone:e2ee.begin': Error: no call in progress with this id"));
    await h.controller.dial('bob', { video: false });
    const callId = getState().call!.callId;
    h.emit({ type: 'call.accepted', callId, decision: decision('callee'), roomE2ee: false });
    await vi.waitFor(() => expect(h.sent('call.fail')).toEqual([{ type: 'call.fail', callId, reason: 'failed' }]));
    h.emit({ type: 'call.ended', callId, reason: 'failed', by: 'alice' });
    expect(getState().lastEnded).toMatchObject({ reason: 'failed', detail: 'no call in progress with this id' });
  });
});

describe('a softphone://call link', () => {
  it('never dials by itself: it asks, Cancel does nothing, and only Call dials', async () => {
    const h = harness();
    h.hostEvent({ type: 'dial', handle: 'bob' });
    expect(getState().dialRequest).toBe('bob');
    expect(h.server.request).not.toHaveBeenCalled();
    expect(h.calls['call.prepare']).not.toHaveBeenCalled();
    h.controller.cancelDialRequest();
    expect(getState().dialRequest).toBeNull();
    expect(h.server.request).not.toHaveBeenCalled();

    h.hostEvent({ type: 'dial', handle: 'bob' });
    await h.controller.confirmDialRequest();
    expect(getState().dialRequest).toBeNull();
    expect(h.server.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'lookup', handle: 'bob' }));
    expect(h.calls['call.prepare']).toHaveBeenCalledWith(expect.objectContaining({ role: 'caller', peerHandle: 'bob' }));
    expect(getState().call).toMatchObject({ peer: 'bob', direction: 'outgoing' });
  });
});
