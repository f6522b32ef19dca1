// The web host keeps its records in the browser's storage: what happens when one is damaged.
import { describe, expect, it } from 'vitest';
import { createWebHost, WEB_IDENTITY_AT_REST } from './webHost';

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
