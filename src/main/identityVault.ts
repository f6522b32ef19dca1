// This device's long-term Ed25519 identity: created on first run, sealed at rest with the system's
// secret store, together with the handle the server registered. The vault hands the secret key
// only to code in main (the call security engine); the renderer sees the public parts.
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import type { IdentityInfo } from '../shared/bridge';
import { fingerprint } from '../shared/e2ee/securityCode';
import { fromBase64Url, toBase64Url } from '../shared/encoding';
import { backupFileName, exportIdentityBackup, importIdentityBackup, type ExportOptions } from '../shared/identityBackup';
import { Handle } from '../shared/protocol';
import { readSealedFile, sealedFileIn, writeSealedFile, type SealedFileOptions, type StoreOptions } from './sealedFile';
import { SerialQueue } from '../shared/serialQueue';

export const IDENTITY_FILE = 'identity.json';

const StoredIdentity = z.object({
  /** The 32-byte Ed25519 secret key (seed), unpadded base64url. */
  secretKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  handle: Handle.nullable(),
});
type StoredIdentity = z.infer<typeof StoredIdentity>;

export class IdentityVault {
  private readonly writes = new SerialQueue();

  private constructor(
    private readonly file: SealedFileOptions<StoredIdentity>,
    private secretKey: Uint8Array,
    private publicKey: Uint8Array,
    private handle: Handle | null,
  ) {}

  /**
   * Opens this device's identity, creating and saving a new one on first run. Throws
   * StoreUnreadableError (file kept aside) or SecretStoreLockedError (file untouched) when the
   * stored identity cannot be used; it never replaces a stored identity by itself.
   */
  static async open(options: StoreOptions): Promise<IdentityVault> {
    const file = sealedFileIn(options, { name: IDENTITY_FILE, what: 'The identity file', schema: StoredIdentity });
    const stored = await readSealedFile(file);
    if (stored) {
      const secretKey = fromBase64Url(stored.secretKey);
      return new IdentityVault(file, secretKey, ed25519.getPublicKey(secretKey), stored.handle);
    }
    const secretKey = ed25519.utils.randomSecretKey();
    await writeSealedFile(file, { secretKey: toBase64Url(secretKey), handle: null });
    return new IdentityVault(file, secretKey, ed25519.getPublicKey(secretKey), null);
  }

  info(): IdentityInfo {
    return { publicKey: toBase64Url(this.publicKey), handle: this.handle, fingerprint: fingerprint(this.publicKey) };
  }

  /** Records the handle the server accepted for this identity. */
  async setHandle(handle: Handle): Promise<IdentityInfo> {
    const checked = Handle.parse(handle);
    return this.writes.run(async () => {
      await writeSealedFile(this.file, { secretKey: toBase64Url(this.secretKey), handle: checked });
      this.handle = checked;
      return this.info();
    });
  }

  /** This identity encrypted with the passphrase (shared/identityBackup.ts), as a file to save. */
  async exportBackup(passphrase: string, options?: ExportOptions): Promise<{ fileName: string; contents: string }> {
    return {
      fileName: backupFileName(this.handle),
      contents: await exportIdentityBackup({ secretKey: this.secretKey, handle: this.handle }, passphrase, options),
    };
  }

  /** The identity an exported file holds, without changing anything; throws IdentityBackupError. */
  async checkBackup(text: string, passphrase: string): Promise<IdentityInfo> {
    const opened = await importIdentityBackup(text, passphrase);
    opened.secretKey.fill(0);
    return { publicKey: toBase64Url(opened.publicKey), handle: opened.handle, fingerprint: fingerprint(opened.publicKey) };
  }

  /**
   * Replaces this identity with the one in an exported file: saved first, then used. The old
   * secret key is wiped from memory; parts of main that copied it must be rebuilt (main restarts).
   */
  async importBackup(text: string, passphrase: string): Promise<IdentityInfo> {
    const opened = await importIdentityBackup(text, passphrase);
    return this.writes.run(async () => {
      try {
        await writeSealedFile(this.file, { secretKey: toBase64Url(opened.secretKey), handle: opened.handle });
      } catch (error) {
        opened.secretKey.fill(0);
        throw error;
      }
      this.secretKey.fill(0);
      this.secretKey = opened.secretKey;
      this.publicKey = opened.publicKey;
      this.handle = opened.handle;
      return this.info();
    });
  }

  /** The secret key, for the call security engine in main only. Never send it over IPC. */
  identitySeed(): Uint8Array {
    return this.secretKey.slice();
  }
}
