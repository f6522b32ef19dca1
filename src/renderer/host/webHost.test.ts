// The web host keeps its records in the browser's storage: what happens when one is damaged, and
// how it keeps the identity key (Node's WebCrypto has Ed25519, as Chromium does).
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import type { HostBridge } from './bridge';
import { createWebHost, WEB_IDENTITY_NON_EXTRACTABLE, WEB_IDENTITY_SEED_IN_STORAGE } from './webHost';
import { NOT_EXPORTABLE } from './webIdentityBackup';
import type { CryptoKeyStore } from './webIdentityKey';
import { signDecision } from '../../shared/e2ee/decision';
import { CALL_HANDSHAKE_SUITE } from '../../shared/e2ee/handshake';
import { fromBase64Url, toBase64Url } from '../../shared/encoding';
import { loginChallengeBytes } from '../../shared/protocol';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

/** The part of the Web Storage API the web host uses, in memory. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  keys() {
    return [...this.items.keys()];
  }
}

describe('the web host’s stored contacts and history', () => {
  it('keep contacts and calls across restarts', async () => {
    const storage = new MemoryStorage();
    const first = await createWebHost(storage);
    await first.calls['contacts.add']({ handle: 'bob', publicKey: KEY });
    await first.calls['history.record']({
      callId: 'AAAAAAAAAAAAAAAAAAAAAA',
      peer: 'bob',
      direction: 'outgoing',
      startedAt: 1,
      answeredAt: 2,
      endedAt: 3,
      outcome: 'answered',
      endReason: 'hangup',
      e2ee: true,
      video: false,
      seen: true,
    });
    const again = await createWebHost(storage);
    expect(await again.calls['contacts.list']()).toMatchObject([{ handle: 'bob', publicKey: KEY }]);
    expect(await again.calls['history.list']()).toHaveLength(1);
  });

  it.each([
    ['softphone/contacts', 'not json at all'],
    ['softphone/history', JSON.stringify({ calls: [{ callId: 'x' }] })],
  ])('keeps a damaged %s aside, reports it, and starts afresh without failing', async (key, damaged) => {
    const storage = new MemoryStorage();
    storage.setItem(key, damaged);
    const host = await createWebHost(storage);

    const { problem } = await host.calls['settings.get']();
    const aside = storage.keys().find((name) => name.startsWith(`${key}.corrupt-`));
    expect(aside).toBeDefined();
    expect(storage.getItem(aside!)).toBe(damaged);
    expect(problem).toContain(aside);
    expect(await host.calls['contacts.list']()).toEqual([]);
    expect(await host.calls['history.list']()).toEqual([]);
    // The fresh record works.
    await host.calls['contacts.add']({ handle: 'carol', publicKey: KEY });
    expect((await host.calls['contacts.list']()).map((contact) => contact.handle)).toEqual(['carol']);
  });
});

describe('the web host’s invite check', () => {
  it('refuses an invite for a call in its history, also after a restart, and lets a new one ring', async () => {
    const storage = new MemoryStorage();
    const first = await createWebHost(storage);
    const me = fromBase64Url((await first.calls['identity.get']()).publicKey);
    const callerSeed = new Uint8Array(32).fill(9);
    const callerKey = ed25519.getPublicKey(callerSeed);
    const invite = (callId: string) => ({
      callId,
      peerHandle: 'bob',
      peerKey: toBase64Url(callerKey),
      decision: signDecision(callerSeed, {
        callId,
        role: 'caller',
        e2ee: true,
        signerKey: callerKey,
        peerKey: me,
        handshake: CALL_HANDSHAKE_SUITE,
        issuedAt: Date.now(),
      }),
    });
    const rung = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect(await first.calls['call.checkInvite'](invite(rung))).toEqual({ verdict: 'live', reason: null });
    await first.calls['history.record']({
      callId: rung,
      peer: 'bob',
      direction: 'incoming',
      startedAt: 1,
      answeredAt: null,
      endedAt: 3,
      outcome: 'missed',
      endReason: 'declined',
      e2ee: false,
      video: false,
      seen: true,
    });
    const again = await createWebHost(storage);
    expect(await again.calls['call.checkInvite'](invite(rung))).toMatchObject({ verdict: 'replayed' });
    expect(await again.calls['call.checkInvite'](invite('BBBBBBBBBBBBBBBBBBBBBB'))).toEqual({ verdict: 'live', reason: null });
  });
});

describe('the web host’s stored settings', () => {
  it('keeps settings with invalid values aside once: the next start reports nothing and makes no second copy', async () => {
    const storage = new MemoryStorage();
    const damaged = JSON.stringify({ ringtone: 'no-such-ringtone' });
    storage.setItem('softphone/settings', damaged);

    const first = await (await createWebHost(storage)).calls['settings.get']();
    const asides = () => storage.keys().filter((name) => name.startsWith('softphone/settings.corrupt-'));
    expect(asides()).toHaveLength(1);
    expect(storage.getItem(asides()[0]!)).toBe(damaged);
    expect(first.problem).toContain(asides()[0]);
    expect(storage.getItem('softphone/settings')).toBeNull();

    const again = await (await createWebHost(storage)).calls['settings.get']();
    expect(again.problem).toBeNull();
    expect(again.settings).toEqual(first.settings);
    expect(asides()).toHaveLength(1);
  });

  it('keeps a damaged record aside once', async () => {
    const storage = new MemoryStorage();
    storage.setItem('softphone/contacts', 'not json at all');
    await createWebHost(storage);
    const again = await (await createWebHost(storage)).calls['settings.get']();
    expect(again.problem).toBeNull();
    expect(storage.keys().filter((name) => name.startsWith('softphone/contacts.corrupt-'))).toHaveLength(1);
  });
});

/** The non-extractable key's store, in memory (IndexedDB in the browser). */
function memoryKeyStore(): CryptoKeyStore & { key: CryptoKey | null } {
  const store = {
    key: null as CryptoKey | null,
    get: async () => store.key,
    put: async (key: CryptoKey) => {
      store.key = key;
    },
  };
  return store;
}

function exportIdentity(host: HostBridge) {
  if (host.kind !== 'web') throw new Error('not the web host');
  return host.calls['identity.export']({ passphrase: 'a passphrase for the move' });
}

const CHALLENGE = { nonce: 'n'.repeat(43), origin: 'http://127.0.0.1:8080' };

/** Whether the host's login signature verifies under the public key it reports. */
async function signsAsItsKey(host: HostBridge): Promise<boolean> {
  const { publicKey } = await host.calls['identity.get']();
  const signature = await host.calls['identity.signLogin'](CHALLENGE);
  return ed25519.verify(fromBase64Url(signature), loginChallengeBytes(CHALLENGE.origin, CHALLENGE.nonce), fromBase64Url(publicKey));
}

describe('the web host’s identity key', () => {
  const subtle = globalThis.crypto.subtle;

  it('is a non-extractable WebCrypto key where the browser has Ed25519: it signs, it cannot be read, and no seed is stored', async () => {
    const storage = new MemoryStorage();
    const store = memoryKeyStore();
    const host = await createWebHost(storage, { subtle, store });
    expect(store.key?.extractable).toBe(false);
    await expect(subtle.exportKey('pkcs8', store.key!)).rejects.toThrow();
    await expect(subtle.exportKey('jwk', store.key!)).rejects.toThrow();
    expect(await signsAsItsKey(host)).toBe(true);
    expect(JSON.parse(storage.getItem('softphone/identity') ?? '{}')).not.toHaveProperty('seed');
    expect(await host.calls['identity.atRest']()).toEqual(WEB_IDENTITY_NON_EXTRACTABLE);
    await expect(exportIdentity(host)).rejects.toThrow(NOT_EXPORTABLE);

    const again = await createWebHost(storage, { subtle, store });
    expect((await again.calls['identity.get']()).publicKey).toBe((await host.calls['identity.get']()).publicKey);
    expect(await signsAsItsKey(again)).toBe(true);
  });

  it('moves an identity stored as a seed into a non-extractable key once, keeping its key and handle, and deletes the seed', async () => {
    const storage = new MemoryStorage();
    const seed = ed25519.utils.randomSecretKey();
    storage.setItem('softphone/identity', JSON.stringify({ version: 1, seed: toBase64Url(seed), handle: 'alice' }));
    const store = memoryKeyStore();
    const host = await createWebHost(storage, { subtle, store });
    expect(await host.calls['identity.get']()).toMatchObject({ publicKey: toBase64Url(ed25519.getPublicKey(seed)), handle: 'alice' });
    expect(await signsAsItsKey(host)).toBe(true);
    expect(store.key?.extractable).toBe(false);
    for (const name of storage.keys()) expect(storage.getItem(name)).not.toContain(toBase64Url(seed));
  });

  it('keeps the seed and signs with it where the browser has no WebCrypto Ed25519 or cannot store the key, and says so', async () => {
    for (const keys of [
      { subtle: undefined, store: memoryKeyStore() },
      { subtle, store: { get: async () => null, put: () => Promise.reject(new Error('no IndexedDB here')) } },
    ]) {
      const storage = new MemoryStorage();
      const seed = ed25519.utils.randomSecretKey();
      const record = JSON.stringify({ version: 1, seed: toBase64Url(seed), handle: 'alice' });
      storage.setItem('softphone/identity', record);
      const host = await createWebHost(storage, keys);
      expect(storage.getItem('softphone/identity')).toBe(record);
      expect((await host.calls['identity.get']()).publicKey).toBe(toBase64Url(ed25519.getPublicKey(seed)));
      expect(await signsAsItsKey(host)).toBe(true);
      expect(await host.calls['identity.atRest']()).toEqual(WEB_IDENTITY_SEED_IN_STORAGE);
      expect(WEB_IDENTITY_SEED_IN_STORAGE.description).toMatch(
        /no WebCrypto Ed25519, so the web client signs with its own code \(@noble\/curves\).*Any script the page runs — including code the server sends — can read it/,
      );
      expect((await exportIdentity(host)).contents).toContain('softphone');
    }
  });

  it('reports a key the browser no longer holds, keeps its record aside and makes a new identity', async () => {
    const storage = new MemoryStorage();
    const first = await createWebHost(storage, { subtle, store: memoryKeyStore() });
    const lost = storage.getItem('softphone/identity');
    const host = await createWebHost(storage, { subtle, store: memoryKeyStore() });
    const { problem } = await host.calls['settings.get']();
    const aside = storage.keys().find((name) => name.startsWith('softphone/identity.corrupt-'));
    expect(storage.getItem(aside!)).toBe(lost);
    expect(problem).toContain('no longer holds the identity key');
    expect(problem).toContain(aside);
    expect((await host.calls['identity.get']()).publicKey).not.toBe((await first.calls['identity.get']()).publicKey);
    expect(await signsAsItsKey(host)).toBe(true);
  });

  it('refuses to start, changing nothing, when the key store cannot be read or the page has no WebCrypto', async () => {
    const storage = new MemoryStorage();
    await createWebHost(storage, { subtle, store: memoryKeyStore() });
    const before = storage.getItem('softphone/identity');
    const broken = { get: () => Promise.reject(new Error('the database is blocked')), put: async () => undefined };
    await expect(createWebHost(storage, { subtle, store: broken })).rejects.toThrow(
      /could not be read from this browser’s storage \(the database is blocked\)\. Nothing was changed/,
    );
    expect(storage.getItem('softphone/identity')).toBe(before);
    expect(storage.keys().filter((name) => name.includes('corrupt'))).toEqual([]);
    // Nor on a page without WebCrypto (plain http to another machine): the key is still there for https.
    await expect(createWebHost(storage, { subtle: undefined, store: memoryKeyStore() })).rejects.toThrow(/this page has no WebCrypto .* Nothing was changed/);
    expect(storage.getItem('softphone/identity')).toBe(before);
  });
});
