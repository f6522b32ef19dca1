// A stand-in for Electron's safeStorage in unit tests: reversible, visibly not plaintext, and able
// to play the failures the stores must handle (secret store unavailable, data from another account).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretStorage } from '../sealedFile';

export class FakeSecretStorage implements SecretStorage {
  available = true;
  /** When set, decryption fails as it does for data sealed by another system account. */
  wrongAccount = false;

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('encryption is not available');
    return Buffer.from(`sealed:${Buffer.from(plainText, 'utf8').toString('hex')}`, 'utf8');
  }

  decryptString(encrypted: Buffer): string {
    const text = encrypted.toString('utf8');
    if (this.wrongAccount || !text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('sealed:'.length), 'hex').toString('utf8');
  }
}

/** A fresh temporary folder and the function that removes it. */
export async function temporaryFolder(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'softphone-main-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
