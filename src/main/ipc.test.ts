import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { desktopContract } from '../shared/bridge';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { BRIDGE_CHANNELS, isAppMainFrame, registerBridgeHandlers, type BridgeHandlers, type InvokeRegistry } from './ipc';
import { ipcChannel } from '../shared/desktop/ipcChannels';

const PUBLIC_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const NONCE = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';
const CHALLENGE = { nonce: NONCE, origin: 'https://phone.example.org' };
const SIGNATURE = 'A'.repeat(86);
const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';

interface FakeEvent {
  trusted: boolean;
}

function fakeIpcMain() {
  const listeners = new Map<string, (event: FakeEvent, ...args: unknown[]) => Promise<unknown>>();
  const registry: InvokeRegistry<FakeEvent> = { handle: (channel, listener) => void listeners.set(channel, listener) };
  const invoke = (channel: string, event: FakeEvent, ...args: unknown[]) => {
    const listener = listeners.get(channel);
    if (!listener) throw new Error(`no handler for ${channel}`);
    return listener(event, ...args);
  };
  return { registry, listeners, invoke };
}

function fakeHandlers(): BridgeHandlers<FakeEvent> {
  return {
    'identity.get': vi.fn(() => ({ publicKey: PUBLIC_KEY, handle: null, fingerprint: 'abcd' })),
    'identity.setHandle': vi.fn(([handle]) => ({ publicKey: PUBLIC_KEY, handle, fingerprint: 'abcd' })),
    'identity.signLogin': vi.fn(() => SIGNATURE),
    'identity.atRest': vi.fn(() => ({ protected: true, description: 'Encrypted at rest with KWallet.' })),
    'identity.exportBackup': vi.fn(() => 'done' as const),
    'identity.importBackup': vi.fn(() => 'cancelled' as const),
    'identity.protectWithPassphrase': vi.fn(() => 'cancelled' as const),
    'settings.get': vi.fn(() => ({ settings: { ...DEFAULT_SETTINGS }, problem: null })),
    'settings.update': vi.fn(([patch]) => ({ ...DEFAULT_SETTINGS, ...patch })),
    'app.status': vi.fn(() => null),
    'devices.preview': vi.fn(() => null),
    'call.prepare': vi.fn(() =>
      Promise.resolve({
        decision: { e2ee: true, role: 'caller' as const, handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256', issuedAt: 0, signature: SIGNATURE },
        peerTrust: 'new' as const,
      }),
    ),
    'call.checkInvite': vi.fn(() => ({ verdict: 'live' as const, reason: null })),
    'e2ee.begin': vi.fn(() => ({ status: { state: 'handshaking' as const }, send: { seq: 0, payload: 'AAAA' } })),
    'e2ee.receive': vi.fn(() => ({ status: { state: 'handshaking' as const }, send: null })),
    'contacts.markVerified': vi.fn(() => 'verified' as const),
    'capture.authorize': vi.fn(() => ({ allowed: true as const, statement: SIGNATURE })),
    'contacts.list': vi.fn(() => []),
    'contacts.add': vi.fn(([{ handle, publicKey }]) => ({ handle, publicKey, fingerprint: 'abcd', verified: false, favourite: false, keyChanged: false })),
    'contacts.remove': vi.fn(() => null),
    'contacts.setFavourite': vi.fn(([{ handle, favourite }]) => ({
      handle,
      publicKey: PUBLIC_KEY,
      fingerprint: 'abcd',
      verified: false,
      favourite,
      keyChanged: false,
    })),
    'contacts.acceptKey': vi.fn(([{ handle }]) => ({
      handle,
      publicKey: PUBLIC_KEY,
      fingerprint: 'abcd',
      verified: false,
      favourite: false,
      keyChanged: false,
    })),
    'history.list': vi.fn(() => []),
    'history.record': vi.fn(() => null),
    'history.markSeen': vi.fn(() => null),
    'screenShare.sources': vi.fn(() => []),
    'screenShare.choose': vi.fn(() => null),
    'call.end': vi.fn(() => null),
  };
}

let ipc: ReturnType<typeof fakeIpcMain>;
let handlers: BridgeHandlers<FakeEvent>;
const trusted: FakeEvent = { trusted: true };
let warn: ReturnType<typeof vi.spyOn>;
let error: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  ipc = fakeIpcMain();
  handlers = fakeHandlers();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  registerBridgeHandlers(ipc.registry, handlers, (event) => event.trusted);
});
afterEach(() => vi.restoreAllMocks());

describe('registerBridgeHandlers', () => {
  it('registers one softphone:<channel> handler per channel of the contract', () => {
    expect([...ipc.listeners.keys()].sort()).toEqual(
      Object.keys(desktopContract)
        .map((channel) => `softphone:${channel}`)
        .sort(),
    );
    expect(BRIDGE_CHANNELS).toHaveLength(Object.keys(desktopContract).length);
    expect(ipcChannel('call.end')).toBe('softphone:call.end');
  });

  it('passes parsed arguments and the event to the handler and returns its result', async () => {
    const result = await ipc.invoke('softphone:identity.signLogin', trusted, CHALLENGE);
    expect(result).toBe(SIGNATURE);
    expect(handlers['identity.signLogin']).toHaveBeenCalledWith([CHALLENGE], trusted);

    const prepared = await ipc.invoke('softphone:call.prepare', trusted, { callId: CALL_ID, role: 'caller', peerHandle: 'bob', peerKey: PUBLIC_KEY });
    expect(prepared).toMatchObject({ peerTrust: 'new' });
  });

  it('refuses a sender that is not the app window before parsing anything', async () => {
    await expect(ipc.invoke('softphone:identity.signLogin', { trusted: false }, CHALLENGE)).rejects.toThrow(
      'softphone:identity.signLogin: refused, the request did not come from the app window',
    );
    expect(handlers['identity.signLogin']).not.toHaveBeenCalled();
  });

  it('refuses invalid arguments with the reason, without echoing or logging the value', async () => {
    const secretLooking = 'secret-value-that-must-not-be-logged';
    const refusal = ipc.invoke('softphone:e2ee.receive', trusted, { callId: CALL_ID, message: { seq: 0, payload: `${secretLooking}!` } });

    await expect(refusal).rejects.toThrow(/^softphone:e2ee\.receive: invalid arguments: 0\.message\.payload: /);
    await expect(refusal).rejects.not.toThrow(secretLooking);
    expect(handlers['e2ee.receive']).not.toHaveBeenCalled();
    expect(JSON.stringify([...warn.mock.calls, ...error.mock.calls])).not.toContain(secretLooking);
  });

  it('takes no passphrase or file from the renderer: the page’s backup channels do not exist in main, and main’s take no arguments', async () => {
    for (const channel of ['identity.export', 'identity.checkImport', 'identity.import']) {
      expect(ipc.listeners.has(`softphone:${channel}`)).toBe(false);
    }
    const refusal = ipc.invoke('softphone:identity.exportBackup', trusted, { passphrase: 'hunter2' });
    await expect(refusal).rejects.toThrow(/invalid arguments/);
    await expect(refusal).rejects.not.toThrow('hunter2');
    await expect(ipc.invoke('softphone:identity.importBackup', trusted, { file: '{}', passphrase: 'hunter2' })).rejects.toThrow(/invalid arguments/);
    expect(handlers['identity.exportBackup']).not.toHaveBeenCalled();
    expect(handlers['identity.importBackup']).not.toHaveBeenCalled();
    expect(JSON.stringify([...warn.mock.calls, ...error.mock.calls])).not.toContain('hunter2');
    expect(await ipc.invoke('softphone:identity.exportBackup', trusted)).toBe('done');
  });

  it('refuses a status that is not one', async () => {
    await expect(ipc.invoke('softphone:app.status', trusted, { presence: 'away', incomingCall: null })).rejects.toThrow(/0\.presence/);
    await expect(ipc.invoke('softphone:devices.preview', trusted, 'yes')).rejects.toThrow(/invalid arguments/);
    expect(handlers['app.status']).not.toHaveBeenCalled();
  });

  it('takes only a screen or window id as a screen-share pick, and checks the sources main returns', async () => {
    await expect(ipc.invoke('softphone:screenShare.choose', trusted, { id: 'file:///etc/passwd' })).rejects.toThrow(/invalid arguments/);
    await expect(ipc.invoke('softphone:screenShare.choose', trusted, { id: 'screen:0:0' })).resolves.toBeNull();
    expect(handlers['screenShare.choose']).toHaveBeenCalledWith([{ id: 'screen:0:0' }], trusted);
    vi.mocked(handlers['screenShare.sources']).mockReturnValueOnce([{ id: 'window:1:0', name: 'Editor', kind: 'window', thumbnail: 'javascript:alert(1)' }]);
    await expect(ipc.invoke('softphone:screenShare.sources', trusted)).rejects.toThrow(/invalid result/);
  });

  it('refuses missing, extra and unknown arguments', async () => {
    await expect(ipc.invoke('softphone:identity.signLogin', trusted)).rejects.toThrow(/invalid arguments/);
    await expect(ipc.invoke('softphone:identity.get', trusted, 'extra')).rejects.toThrow(/invalid arguments/);
    await expect(ipc.invoke('softphone:settings.update', trusted, { theme: 'dark' })).rejects.toThrow(/invalid arguments/);
    expect(handlers['settings.update']).not.toHaveBeenCalled();
  });

  it('refuses to return a result that does not match the contract', async () => {
    vi.mocked(handlers['identity.signLogin']).mockReturnValue('not-a-signature');
    await expect(ipc.invoke('softphone:identity.signLogin', trusted, CHALLENGE)).rejects.toThrow(
      'softphone:identity.signLogin: the host produced an invalid result',
    );
  });

  it('passes a handler failure on to the renderer', async () => {
    vi.mocked(handlers['call.end']).mockImplementation(() => {
      throw new Error('no such call');
    });
    await expect(ipc.invoke('softphone:call.end', trusted, { callId: CALL_ID })).rejects.toThrow('no such call');
  });
});

describe('isAppMainFrame', () => {
  const mainFrame = { url: 'app://softphone/index.html', parent: null };

  it('trusts the app page in the main frame only', () => {
    expect(isAppMainFrame(mainFrame)).toBe(true);
    expect(isAppMainFrame({ url: 'app://softphone/index.html', parent: mainFrame as never })).toBe(false);
    expect(isAppMainFrame({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isAppMainFrame({ url: 'file:///app/index.html', parent: null })).toBe(false);
    expect(isAppMainFrame(null)).toBe(false);
    expect(isAppMainFrame(undefined)).toBe(false);
  });
});
