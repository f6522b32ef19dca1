import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SecretProtection, StoreUnreadableError } from './sealedFile';
import { FakeSecretStorage, temporaryFolder } from './testing/fakeSecretStorage';
import { CONTACTS_FILE, ContactTrustStore } from './trustStore';

const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const KEY_B = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let protection: SecretProtection;
beforeEach(async () => {
  folder = await temporaryFolder();
  protection = { kind: 'safe-storage', storage: new FakeSecretStorage() };
});
afterEach(() => folder.remove());

const open = () => ContactTrustStore.open({ dir: folder.dir, protection });

describe('ContactTrustStore', () => {
  it('knows nobody at first', async () => {
    expect(await (await open()).get('bob')).toBeNull();
  });

  it('pins a key unverified and keeps it across runs, sealed at rest', async () => {
    await (await open()).pin('bob', KEY_A);

    expect(await (await open()).get('bob')).toEqual({ publicKey: KEY_A, verified: false });
    const file = await readFile(join(folder.dir, CONTACTS_FILE), 'utf8');
    expect(file).not.toContain('bob');
    expect(file).not.toContain(KEY_A);
  });

  it('marks a key verified, keeps that when the same key is pinned again, and drops it for a new key', async () => {
    const store = await open();
    await store.pin('bob', KEY_A);
    await store.markVerified('bob', KEY_A);
    expect(await store.get('bob')).toEqual({ publicKey: KEY_A, verified: true });

    await store.pin('bob', KEY_A);
    expect(await store.get('bob')).toEqual({ publicKey: KEY_A, verified: true });

    await store.pin('bob', KEY_B);
    expect(await (await open()).get('bob')).toEqual({ publicKey: KEY_B, verified: false });
  });

  it('marking a key verified pins that key', async () => {
    const store = await open();
    await store.pin('bob', KEY_A);
    await store.markVerified('bob', KEY_B);
    expect(await (await open()).get('bob')).toEqual({ publicKey: KEY_B, verified: true });
  });

  it('keeps every contact when pins arrive together', async () => {
    const store = await open();
    await Promise.all([store.pin('bob', KEY_A), store.pin('carol', KEY_B), store.markVerified('dave', KEY_A)]);
    const reopened = await open();
    expect(await reopened.get('bob')).toEqual({ publicKey: KEY_A, verified: false });
    expect(await reopened.get('carol')).toEqual({ publicKey: KEY_B, verified: false });
    expect(await reopened.get('dave')).toEqual({ publicKey: KEY_A, verified: true });
  });

  it('refuses invalid handles and keys', async () => {
    const store = await open();
    await expect(store.pin('Bob!', KEY_A)).rejects.toThrow();
    await expect(store.pin('bob', 'not-a-key')).rejects.toThrow();
    await expect(store.markVerified('bob', `${KEY_A}A`)).rejects.toThrow();
    await expect(store.get('')).rejects.toThrow();
    expect(await store.get('bob')).toBeNull();
  });

  it('reports a damaged file and keeps it aside', async () => {
    await (await open()).pin('bob', KEY_A);
    await writeFile(join(folder.dir, CONTACTS_FILE), '{}');

    const error = await open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnreadableError);
    expect(await readFile((error as StoreUnreadableError).keptAt, 'utf8')).toBe('{}');
  });
});
