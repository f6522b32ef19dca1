import { describe, expect, it, vi } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { authorizeCapture, verifyCaptureStatement } from '../shared/recordingPolicy';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { callNeedsMedia, createBridgeHandlers, type CallSecurityEngine } from './bridgeHandlers';

const PUBLIC_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const SIGNATURE = 'A'.repeat(86);
const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const IDENTITY_SEED = new Uint8Array(32).fill(7);

function setup() {
  const security: CallSecurityEngine = {
    signLogin: vi.fn(() => Promise.resolve(SIGNATURE)),
    checkInvite: vi.fn(() => ({ verdict: 'live' as const, reason: null })),
    prepare: vi.fn(() =>
      Promise.resolve({
        decision: { e2ee: true, role: 'caller' as const, handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256', issuedAt: 0, signature: SIGNATURE },
        peerTrust: 'pinned' as const,
      }),
    ),
    begin: vi.fn(() => ({ status: { state: 'handshaking' as const }, send: null })),
    receive: vi.fn(() => ({ status: { state: 'handshaking' as const }, send: null })),
    markVerified: vi.fn(() => Promise.resolve('verified' as const)),
    end: vi.fn(),
    activeCall: vi.fn(() => null),
    authorizeCapture: vi.fn((request) => Promise.resolve(authorizeCapture(request, security.activeCall(), IDENTITY_SEED))),
  };
  const keyPorts = { open: vi.fn(), close: vi.fn() };
  const identity = {
    info: vi.fn(() => ({ publicKey: PUBLIC_KEY, handle: 'alice', fingerprint: 'abcd' })),
    setHandle: vi.fn((handle: string) => Promise.resolve({ publicKey: PUBLIC_KEY, handle, fingerprint: 'abcd' })),
    exportBackup: vi.fn(() => Promise.resolve({ fileName: 'softphone-identity-alice.json', contents: '{}' })),
    checkBackup: vi.fn(() => Promise.resolve({ publicKey: PUBLIC_KEY, handle: 'bob', fingerprint: 'ef01' })),
    importBackup: vi.fn(() => Promise.resolve({ publicKey: PUBLIC_KEY, handle: 'bob', fingerprint: 'ef01' })),
  };
  const settings = {
    state: vi.fn(() => ({ settings: { ...DEFAULT_SETTINGS }, problem: null })),
    update: vi.fn(() => Promise.resolve({ ...DEFAULT_SETTINGS, e2ee: false })),
  };
  const contacts = {
    list: vi.fn(() => []),
    add: vi.fn((handle: string, publicKey: string) =>
      Promise.resolve({ handle, publicKey, fingerprint: 'abcd', verified: false, favourite: false, keyChanged: false }),
    ),
    remove: vi.fn(() => Promise.resolve()),
    setFavourite: vi.fn(() => Promise.reject(new Error('unused'))),
    acceptChangedKey: vi.fn(() => Promise.reject(new Error('unused'))),
  };
  const history = { list: vi.fn(() => []), record: vi.fn(() => Promise.resolve()), markAllSeen: vi.fn(() => Promise.resolve()) };
  const desktop = { setStatus: vi.fn() };
  const mediaAccess = { setPreview: vi.fn() };
  const screenShare = { sources: vi.fn(async () => []), choose: vi.fn(), forget: vi.fn() };
  const restartApp = vi.fn();
  // The user at main's dialogs: types the passphrase, picks the file, confirms.
  const backupDialogs = {
    askPassphrase: vi.fn(
      async (_request: unknown, accept: (answer: { passphrase: string; repeat: string }) => Promise<string | null>) =>
        (await accept({ passphrase: 'a long passphrase', repeat: 'a long passphrase' })) === null,
    ),
    chooseSavePath: vi.fn(async () => '/home/alice/identity.json'),
    chooseOpenPath: vi.fn(async () => '/home/alice/identity.json'),
    confirmReplace: vi.fn(async () => true),
  };
  const backupFiles = { write: vi.fn(async () => undefined), read: vi.fn(async () => '{"format":"softphone-identity-backup"}') };
  const protectWithPassphrase = vi.fn(async () => 'done' as const);
  const handlers = createBridgeHandlers<string, { sender: { postMessage: () => void } }>({
    identity,
    settings,
    security,
    contacts,
    history,
    keyPorts,
    desktop,
    mediaAccess,
    screenShare,
    restartApp,
    backupDialogs,
    backupFiles,
    atRest: () => ({ protected: false, description: 'Not protected at rest: this system has no key store.' }),
    protectWithPassphrase,
  });
  const event = { sender: { postMessage: vi.fn() } };
  return {
    security,
    keyPorts,
    identity,
    settings,
    contacts,
    history,
    desktop,
    mediaAccess,
    screenShare,
    restartApp,
    backupDialogs,
    backupFiles,
    protectWithPassphrase,
    handlers,
    event,
  };
}

describe('createBridgeHandlers', () => {
  it('answers identity and settings from the stores', async () => {
    const { handlers, identity, settings, event } = setup();
    expect(await handlers['identity.get']([], event)).toMatchObject({ handle: 'alice' });
    expect(await handlers['identity.setHandle'](['bob'], event)).toMatchObject({ handle: 'bob' });
    expect(identity.setHandle).toHaveBeenCalledWith('bob');
    expect(await handlers['settings.get']([], event)).toMatchObject({ problem: null });
    await handlers['settings.update']([{ e2ee: false }], event);
    expect(settings.update).toHaveBeenCalledWith({ e2ee: false });
  });

  it('answers contacts and history from their stores', async () => {
    const { handlers, contacts, history, event } = setup();
    expect(await handlers['contacts.add']([{ handle: 'bob', publicKey: PUBLIC_KEY }], event)).toMatchObject({ handle: 'bob' });
    expect(contacts.add).toHaveBeenCalledWith('bob', PUBLIC_KEY);
    expect(await handlers['contacts.remove']([{ handle: 'bob' }], event)).toBeNull();
    expect(contacts.remove).toHaveBeenCalledWith('bob');
    expect(await handlers['history.markSeen']([], event)).toBeNull();
    expect(history.markAllSeen).toHaveBeenCalled();
  });

  it('prepares a call, then opens its key port (which closes any earlier one), sent to the window that asked', async () => {
    const { handlers, security, keyPorts, event } = setup();
    const args = { callId: CALL_ID, role: 'caller' as const, peerHandle: 'bob', peerKey: PUBLIC_KEY };

    expect(await handlers['call.prepare']([args], event)).toMatchObject({ peerTrust: 'pinned' });
    expect(security.prepare).toHaveBeenCalledWith(args);
    expect(security.prepare).toHaveBeenCalledBefore(keyPorts.open);
    expect(keyPorts.open).toHaveBeenCalledWith(CALL_ID, event.sender);
  });

  it('opens no key port when the engine refuses to prepare the call', async () => {
    const { handlers, security, keyPorts, event } = setup();
    vi.mocked(security.prepare).mockRejectedValue(new Error('another call is active'));
    await expect(handlers['call.prepare']([{ callId: CALL_ID, role: 'callee', peerHandle: 'bob', peerKey: PUBLIC_KEY }], event)).rejects.toThrow(
      'another call is active',
    );
    expect(keyPorts.open).not.toHaveBeenCalled();
  });

  it('delegates the handshake and verification to the engine', async () => {
    const { handlers, security, event } = setup();
    const decision = { e2ee: true, role: 'callee' as const, handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256', issuedAt: 0, signature: SIGNATURE };
    const invite = { callId: CALL_ID, peerHandle: 'bob', peerKey: PUBLIC_KEY, decision: { ...decision, role: 'caller' as const } };
    expect(await handlers['call.checkInvite']([invite], event)).toEqual({ verdict: 'live', reason: null });
    expect(security.checkInvite).toHaveBeenCalledWith(invite);
    await handlers['e2ee.begin']([{ callId: CALL_ID, peerDecision: decision }], event);
    expect(security.begin).toHaveBeenCalledWith({ callId: CALL_ID, peerDecision: decision });
    await handlers['e2ee.receive']([{ callId: CALL_ID, message: { seq: 1, payload: 'AAAA' } }], event);
    expect(security.receive).toHaveBeenCalledWith({ callId: CALL_ID, message: { seq: 1, payload: 'AAAA' } });
    expect(await handlers['contacts.markVerified']([{ handle: 'bob', publicKey: PUBLIC_KEY }], event)).toBe('verified');
    expect(security.markVerified).toHaveBeenCalledWith('bob', PUBLIC_KEY);
    expect(await handlers['identity.signLogin']([{ nonce: 'n'.repeat(43), origin: 'http://127.0.0.1:8080' }], event)).toBe(SIGNATURE);
  });

  it('ends a call in the engine and closes its key port', async () => {
    const { handlers, security, keyPorts, event } = setup();
    expect(await handlers['call.end']([{ callId: CALL_ID }], event)).toBeNull();
    expect(security.end).toHaveBeenCalledWith(CALL_ID);
    expect(keyPorts.close).toHaveBeenCalledWith(CALL_ID);
  });
});

describe('identity export and import (main’s own dialogs)', () => {
  const file = '{"format":"softphone-identity-backup"}';

  it('exports with the passphrase typed in main’s window to the file chosen in main, and tells the renderer only "done"', async () => {
    const { handlers, identity, backupFiles, restartApp, event } = setup();
    expect(await handlers['identity.exportBackup']([], event)).toBe('done');
    expect(identity.exportBackup).toHaveBeenCalledWith('a long passphrase');
    expect(backupFiles.write).toHaveBeenCalledWith('/home/alice/identity.json', '{}');
    expect(restartApp).not.toHaveBeenCalled();
  });

  it('imports after main’s confirmation, then restarts the app so every part uses the new identity', async () => {
    const { handlers, identity, backupDialogs, restartApp, event } = setup();
    expect(await handlers['identity.importBackup']([], event)).toBe('done');
    expect(identity.checkBackup).toHaveBeenCalledWith(file, 'a long passphrase');
    expect(backupDialogs.confirmReplace).toHaveBeenCalled();
    expect(identity.importBackup).toHaveBeenCalledWith(file, 'a long passphrase');
    expect(restartApp).toHaveBeenCalledOnce();
  });

  it('says "cancelled" and replaces nothing when the user declines the replacement', async () => {
    const { handlers, identity, backupDialogs, restartApp, event } = setup();
    backupDialogs.confirmReplace.mockResolvedValueOnce(false);
    expect(await handlers['identity.importBackup']([], event)).toBe('cancelled');
    expect(identity.importBackup).not.toHaveBeenCalled();
    expect(restartApp).not.toHaveBeenCalled();
  });

  it('does not restart when the import fails', async () => {
    const { handlers, identity, restartApp, event } = setup();
    identity.importBackup.mockRejectedValue(new Error('The identity file could not be saved.'));
    await expect(handlers['identity.importBackup']([], event)).rejects.toThrow(/could not be saved/);
    expect(restartApp).not.toHaveBeenCalled();
  });

  it('refuses to import during a call', async () => {
    const { handlers, identity, security, restartApp, backupDialogs, event } = setup();
    vi.mocked(security.activeCall).mockReturnValue({ callId: CALL_ID, e2ee: 'active' });
    await expect(handlers['identity.importBackup']([], event)).rejects.toThrow('Finish the call before importing an identity.');
    expect(backupDialogs.chooseOpenPath).not.toHaveBeenCalled();
    expect(identity.importBackup).not.toHaveBeenCalled();
    expect(restartApp).not.toHaveBeenCalled();
  });

  it('opens one backup flow at a time', async () => {
    const { handlers, backupDialogs, event } = setup();
    let answer: (accepted: boolean) => void = () => undefined;
    backupDialogs.askPassphrase.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const first = handlers['identity.exportBackup']([], event);
    await expect(handlers['identity.importBackup']([], event)).rejects.toThrow('An identity export, import or passphrase window is already open.');
    await expect(handlers['identity.protectWithPassphrase']([], event)).rejects.toThrow('already open');
    answer(false);
    expect(await first).toBe('cancelled');
    expect(await handlers['identity.exportBackup']([], event)).toBe('done');
    expect(await handlers['identity.protectWithPassphrase']([], event)).toBe('done');
  });
});

describe('app status and device preview', () => {
  it('hands the status to the desktop shell and the preview to media access', async () => {
    const { handlers, desktop, mediaAccess, event } = setup();
    const status = { presence: 'in-call' as const, incomingCall: null };
    expect(await handlers['app.status']([status], event)).toBeNull();
    expect(desktop.setStatus).toHaveBeenCalledWith(status);
    expect(await handlers['devices.preview']([true], event)).toBeNull();
    expect(mediaAccess.setPreview).toHaveBeenCalledWith(true);
  });
});

describe('capture.authorize (the recording policy in main)', () => {
  it('decides from the engine’s own view of the call, refusing while it is end-to-end encrypted', async () => {
    const { handlers, security, event } = setup();
    const request = { callId: CALL_ID, kind: 'recording' as const };
    expect(await handlers['capture.authorize']([request], event)).toMatchObject({ allowed: false, refusal: 'no-call' });
    vi.mocked(security.activeCall).mockReturnValue({ callId: CALL_ID, e2ee: 'active' });
    expect(await handlers['capture.authorize']([request], event)).toEqual({
      allowed: false,
      refusal: 'end-to-end-encrypted',
      message: 'Unavailable: this call is end-to-end encrypted',
    });
    vi.mocked(security.activeCall).mockReturnValue({ callId: CALL_ID, e2ee: 'off' });
    const allowed = await handlers['capture.authorize']([{ callId: CALL_ID, kind: 'transcription' }], event);
    expect(allowed).toEqual({ allowed: true, statement: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) });
    expect(allowed.allowed && verifyCaptureStatement(allowed.statement, { callId: CALL_ID, kind: 'transcription' }, ed25519.getPublicKey(IDENTITY_SEED))).toBe(
      true,
    );
  });
});

describe('callNeedsMedia', () => {
  it('is true from prepare to end, unless end-to-end encryption failed', () => {
    const security = { activeCall: vi.fn<CallSecurityEngine['activeCall']>(() => null) };
    expect(callNeedsMedia(security)).toBe(false);
    for (const e2ee of ['pending', 'active', 'off'] as const) {
      security.activeCall.mockReturnValue({ callId: CALL_ID, e2ee });
      expect(callNeedsMedia(security)).toBe(true);
    }
    security.activeCall.mockReturnValue({ callId: CALL_ID, e2ee: 'failed' });
    expect(callNeedsMedia(security)).toBe(false);
  });
});
