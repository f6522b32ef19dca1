// The call controller against a fake host and server, with the browser's media faked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallController } from './callController';
import type { ContactsController } from '../contacts/contactsController';
import type { HostBridge } from '../host/bridge';
import { installFakeMedia, type FakeStream } from '../media/fakeMedia';
import type { ServerConnection } from '../signaling/serverConnection';
import { getState, setState } from '../store/appStore';
import type { Sounds } from '../ui/sounds';
import type { HostCalls, IdentityInfo } from '../../shared/bridge';
import type { ClientMessageBody, E2eeDecision, ServerMessage } from '../../shared/protocol';

const BOB_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

const decision = (role: 'caller' | 'callee'): E2eeDecision => ({ e2ee: false, role, signature: 'x' });

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
    'call.prepare': vi.fn(async ({ role }: { role: 'caller' | 'callee' }) => ({ decision: decision(role), peerTrust: 'pinned' as const })),
    'e2ee.begin': vi.fn(async () => ({ status: { state: 'standard' as const, reason: 'both-off' as const }, send: null })),
    'call.end': vi.fn(async () => undefined),
  };
  const host = { kind: 'web', calls: calls as unknown as HostCalls, onEvent: () => () => undefined } as unknown as HostBridge;
  const sounds: Sounds = { ring: vi.fn(), ringback: vi.fn(), stop: vi.fn(), testTone: vi.fn(async () => undefined) };
  const contacts = { record: vi.fn(async () => undefined), refreshContacts: vi.fn(async () => undefined) } as unknown as ContactsController;
  const controller = new CallController(host, server as unknown as ServerConnection, sounds, contacts);
  const emit = (message: object) => messageListeners.forEach((listener) => listener(message as ServerMessage));
  const sent = (type: string) => server.send.mock.calls.map(([message]) => message).filter((message) => message.type === type);
  return { controller, server, calls, emit, sent };
}

let media: { captured: FakeStream[] };

beforeEach(() => {
  media = installFakeMedia();
  setState({
    identity: { handle: 'alice', publicKey: BOB_KEY, fingerprint: 'f' } as IdentityInfo,
    settings: null,
    call: null,
    lastEnded: null,
    notice: null,
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

  it('keeps the camera off when it was turned off before the media started', async () => {
    const h = harness();
    const callId = await dialAndAccept(h, () => h.controller.toggleCamera());
    expect(getState().call?.cameraOff).toBe(true);
    expect(enabled(media.captured[0]!)).toEqual({ audio: [true], video: [false] });
    h.emit({ type: 'call.ended', callId, reason: 'hangup', by: 'bob' });
  });
});
