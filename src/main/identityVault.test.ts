import { ed25519 } from '@noble/curves/ed25519.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../shared/e2ee/securityCode';
import { fromBase64Url, toBase64Url } from '../shared/encoding';
import { IdentityBackupError } from '../shared/identityBackup';
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

  describe('backup for a new device', () => {
    const passphrase = 'a passphrase for the move';
    /** The lowest scrypt cost a file may name, to keep the tests fast. */
    const fast = { log2N: 14 };

    async function twoDevices() {
      const other = await temporaryFolder();
      const oldDevice = await IdentityVault.open({ dir: folder.dir, protection });
      await oldDevice.setHandle('alice');
      const newDevice = await IdentityVault.open({ dir: other.dir, protection });
      return { oldDevice, newDevice, newDir: other.dir, removeNewDir: other.remove };
    }

    it('exports an encrypted file named for the handle, holding nothing in the clear', async () => {
      const vault = await IdentityVault.open({ dir: folder.dir, protection });
      await vault.setHandle('alice');
      const backup = await vault.exportBackup(passphrase, fast);

      expect(backup.fileName).toBe('softphone-identity-alice.json');
      expect(backup.contents).not.toContain(toBase64Url(vault.identitySeed()));
      expect(backup.contents).not.toContain('alice');
    });

    it('moves the identity and handle to another device, which keeps them after a restart', async () => {
      const { oldDevice, newDevice, newDir, removeNewDir } = await twoDevices();
      try {
        const { contents } = await oldDevice.exportBackup(passphrase, fast);
        expect(await newDevice.checkBackup(contents, passphrase)).toEqual(oldDevice.info());
        expect(newDevice.info()).not.toEqual(oldDevice.info());

        expect(await newDevice.importBackup(contents, passphrase)).toEqual(oldDevice.info());
        expect(newDevice.info()).toEqual(oldDevice.info());
        expect(newDevice.identitySeed()).toEqual(oldDevice.identitySeed());
        const restarted = await IdentityVault.open({ dir: newDir, protection });
        expect(restarted.info()).toEqual(oldDevice.info());
        expect(await readFile(join(newDir, IDENTITY_FILE), 'utf8')).not.toContain(toBase64Url(oldDevice.identitySeed()));
      } finally {
        await removeNewDir();
      }
    });

    it('changes nothing when only checking a file', async () => {
      const { oldDevice, newDevice, newDir, removeNewDir } = await twoDevices();
      try {
        const before = await readFile(join(newDir, IDENTITY_FILE), 'utf8');
        await newDevice.checkBackup((await oldDevice.exportBackup(passphrase, fast)).contents, passphrase);
        expect(await readFile(join(newDir, IDENTITY_FILE), 'utf8')).toBe(before);
        expect((await IdentityVault.open({ dir: newDir, protection })).info()).toEqual(newDevice.info());
      } finally {
        await removeNewDir();
      }
    });

    it.each([
      ['the wrong passphrase', (contents: string) => contents, 'not the passphrase', 'wrong-passphrase'],
      [
        'a file changed after export',
        (contents: string) => {
          const file = JSON.parse(contents) as { ciphertext: string };
          const bytes = fromBase64Url(file.ciphertext);
          bytes[0] = (bytes[0] ?? 0) ^ 0x80;
          return JSON.stringify({ ...file, ciphertext: toBase64Url(bytes) });
        },
        passphrase,
        'tampered',
      ],
      ['something that is not an identity file', () => '{"hello":"world"}', passphrase, 'not-a-backup'],
    ])('keeps its own identity, on disk and in memory, when offered %s', async (_what, alter, offered, problem) => {
      const { oldDevice, newDevice, newDir, removeNewDir } = await twoDevices();
      try {
        const mine = newDevice.info();
        const before = await readFile(join(newDir, IDENTITY_FILE), 'utf8');
        const contents = alter((await oldDevice.exportBackup(passphrase, fast)).contents);

        const error = await newDevice.importBackup(contents, offered).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(IdentityBackupError);
        expect((error as IdentityBackupError).problem).toBe(problem);
        await expect(newDevice.checkBackup(contents, offered)).rejects.toBeInstanceOf(IdentityBackupError);
        expect(newDevice.info()).toEqual(mine);
        expect(await readFile(join(newDir, IDENTITY_FILE), 'utf8')).toBe(before);
      } finally {
        await removeNewDir();
      }
    });
  });
});
