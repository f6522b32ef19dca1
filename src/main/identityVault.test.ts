import { ed25519 } from '@noble/curves/ed25519.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../shared/e2ee/securityCode';
import { toBase64Url } from '../shared/encoding';
import { IDENTITY_FILE, IdentityVault } from './identityVault';
import { INSECURE_PLAINTEXT_WARNING, StoreUnreadableError, type SecretProtection } from './sealedFile';
import { FakeSecretStorage, temporaryFolder } from './testing/fakeSecretStorage';

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let protection: SecretProtection;
beforeEach(async () => {
  folder = await temporaryFolder();
  protection = { kind: 'safe-storage', storage: new FakeSecretStorage() };
});
afterEach(() => folder.remove());

const identityPath = () => join(folder.dir, IDENTITY_FILE);

describe('IdentityVault', () => {
  it('creates one identity on first run and finds the same one afterwards', async () => {
    const first = await IdentityVault.open({ dir: folder.dir, protection });
    const again = await IdentityVault.open({ dir: folder.dir, protection });

    expect(first.info().handle).toBeNull();
    expect(again.info()).toEqual(first.info());
    expect(first.info().publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.info().fingerprint).toBe(fingerprint(first.info().publicKey));
  });

  it('hands main a copy of the secret key that belongs to the public key, and never writes it in the clear', async () => {
    const vault = await IdentityVault.open({ dir: folder.dir, protection });
    const seed = vault.identitySeed();

    expect(toBase64Url(ed25519.getPublicKey(seed))).toBe(vault.info().publicKey);
    seed.fill(0);
    expect(vault.identitySeed().some((byte) => byte !== 0)).toBe(true);
    expect(await readFile(identityPath(), 'utf8')).not.toContain(toBase64Url(vault.identitySeed()));
  });

  it('keeps the registered handle', async () => {
    const vault = await IdentityVault.open({ dir: folder.dir, protection });
    const info = await vault.setHandle('alice');

    expect(info).toEqual({ ...vault.info(), handle: 'alice' });
    expect((await IdentityVault.open({ dir: folder.dir, protection })).info().handle).toBe('alice');
  });

  it('refuses an invalid handle and keeps the stored one', async () => {
    const vault = await IdentityVault.open({ dir: folder.dir, protection });
    await vault.setHandle('alice');

    await expect(vault.setHandle('Not A Handle')).rejects.toThrow();
    expect((await IdentityVault.open({ dir: folder.dir, protection })).info().handle).toBe('alice');
  });

  it('reports a damaged identity, keeps the file aside and does not replace it', async () => {
    await IdentityVault.open({ dir: folder.dir, protection });
    await writeFile(identityPath(), 'garbage');

    const error = await IdentityVault.open({ dir: folder.dir, protection }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnreadableError);
    expect(await readFile((error as StoreUnreadableError).keptAt, 'utf8')).toBe('garbage');
    await expect(readFile(identityPath())).rejects.toThrow(/ENOENT/);
  });

  it('marks a plaintext identity in the file and reads it back in that mode only', async () => {
    const plaintext: SecretProtection = { kind: 'insecure-plaintext' };
    const vault = await IdentityVault.open({ dir: folder.dir, protection: plaintext });
    const stored = JSON.parse(await readFile(identityPath(), 'utf8')) as { warning: string };

    expect(stored.warning).toBe(INSECURE_PLAINTEXT_WARNING);
    expect((await IdentityVault.open({ dir: folder.dir, protection: plaintext })).info()).toEqual(vault.info());
    await expect(IdentityVault.open({ dir: folder.dir, protection })).rejects.toBeInstanceOf(StoreUnreadableError);
  });
});
