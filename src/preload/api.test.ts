import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopContract, KEY_PORT_MESSAGE, type HostEvent } from '../shared/bridge';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { HOST_EVENT_CHANNEL } from '../shared/desktop/ipcChannels';
import { createSoftphoneApi, forwardKeyPorts, type PreloadIpc } from './api';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const SIGNATURE = 'A'.repeat(86);
const NONCE = { nonce: 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8', origin: 'https://phone.example.org' };

/** A port stands in as a plain object: the preload only passes it along. */
interface FakePort {
  name: string;
}
type Listener = (event: { ports: FakePort[] }, ...args: unknown[]) => void;

function fakeIpcRenderer(answer: (channel: string, args: unknown[]) => unknown = () => null) {
  const listeners = new Map<string, Set<Listener>>();
  const ipc: PreloadIpc<FakePort> & { invoke: ReturnType<typeof vi.fn> } = {
    invoke: vi.fn((channel: string, ...args: unknown[]) => Promise.resolve(answer(channel, args))),
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const emit = (channel: string, ports: FakePort[], ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({ ports }, ...args);
  };
  return { ipc, emit, listenerCount: (channel: string) => listeners.get(channel)?.size ?? 0 };
}

afterEach(() => vi.restoreAllMocks());

describe('createSoftphoneApi', () => {
  it('has one method per channel of the contract, plus onEvent, and nothing else', () => {
    const api = createSoftphoneApi(fakeIpcRenderer().ipc);
    expect(Object.keys(api).sort()).toEqual([...Object.keys(desktopContract), 'onEvent'].sort());
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
  });

  it('invokes softphone:<channel> with the arguments and returns the parsed result', async () => {
    const fake = fakeIpcRenderer((channel) => (channel === 'softphone:identity.signLogin' ? SIGNATURE : { settings: DEFAULT_SETTINGS, problem: null }));
    const api = createSoftphoneApi(fake.ipc);

    expect(await api['identity.signLogin'](NONCE)).toBe(SIGNATURE);
    expect(fake.ipc.invoke).toHaveBeenCalledWith('softphone:identity.signLogin', NONCE);
    expect(await api['settings.get']()).toEqual({ settings: DEFAULT_SETTINGS, problem: null });
    expect(fake.ipc.invoke).toHaveBeenLastCalledWith('softphone:settings.get');
  });

  it('rejects a result that does not match the contract', async () => {
    const api = createSoftphoneApi(fakeIpcRenderer(() => 'not a signature').ipc);
    await expect(api['identity.signLogin'](NONCE)).rejects.toThrow();
  });

  it('passes on host events that match the schema, drops the others, and unsubscribes', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fake = fakeIpcRenderer();
    const api = createSoftphoneApi(fake.ipc);
    const received: HostEvent[] = [];
    const stop = api.onEvent((event) => received.push(event));

    fake.emit(HOST_EVENT_CHANNEL, [], { type: 'dial', handle: 'bob' });
    fake.emit(HOST_EVENT_CHANNEL, [], { type: 'dial', handle: 'Not Valid' });
    fake.emit(HOST_EVENT_CHANNEL, [], { type: 'run-code', code: 'x' });
    stop();
    fake.emit(HOST_EVENT_CHANNEL, [], { type: 'toggle-mute' });

    expect(received).toEqual([{ type: 'dial', handle: 'bob' }]);
    expect(fake.listenerCount(HOST_EVENT_CHANNEL)).toBe(0);
  });
});

describe('forwardKeyPorts', () => {
  it('posts the port into the page, for the app origin only', () => {
    const fake = fakeIpcRenderer();
    const page = { postMessage: vi.fn() };
    forwardKeyPorts(fake.ipc, page);
    const port = { name: 'key port' };

    fake.emit(KEY_PORT_MESSAGE, [port], { callId: CALL_ID });

    expect(page.postMessage).toHaveBeenCalledWith({ type: KEY_PORT_MESSAGE, callId: CALL_ID }, 'app://softphone', [port]);
  });

  it('drops announcements without exactly one port or with a bad call id', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fake = fakeIpcRenderer();
    const page = { postMessage: vi.fn() };
    forwardKeyPorts(fake.ipc, page);

    fake.emit(KEY_PORT_MESSAGE, [], { callId: CALL_ID });
    fake.emit(KEY_PORT_MESSAGE, [{ name: 'a' }, { name: 'b' }], { callId: CALL_ID });
    fake.emit(KEY_PORT_MESSAGE, [{ name: 'a' }], { callId: 'short' });
    fake.emit(KEY_PORT_MESSAGE, [{ name: 'a' }]);

    expect(page.postMessage).not.toHaveBeenCalled();
  });
});
