// The web host keeps its records in the browser's storage: what happens when one is damaged.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { createWebHost, WEB_IDENTITY_AT_REST } from './webHost';
import { signDecision } from '../../shared/e2ee/decision';
import { CALL_HANDSHAKE_SUITE } from '../../shared/e2ee/handshake';
import { fromBase64Url, toBase64Url } from '../../shared/encoding';

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
      decision: signDecision(callerSeed, { callId, role: 'caller', e2ee: true, signerKey: callerKey, peerKey: me, handshake: CALL_HANDSHAKE_SUITE, issuedAt: Date.now() }),
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

describe('the web host’s identity at rest', () => {
  it('says the key is not protected at rest and page script can read it, and stores it where it says', async () => {
    const storage = new MemoryStorage();
    const host = await createWebHost(storage);
    expect(await host.calls['identity.atRest']()).toEqual(WEB_IDENTITY_AT_REST);
    expect(WEB_IDENTITY_AT_REST.protected).toBe(false);
    expect(WEB_IDENTITY_AT_REST.description).toMatch(/^Not protected at rest: .*Any script the page runs — including code the server sends — can read it/);
    expect(JSON.parse(storage.getItem('softphone/identity') ?? '{}')).toMatchObject({ seed: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });
});
