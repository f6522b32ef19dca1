import { describe, expect, it } from 'vitest';
import { atRestProtection } from './atRest';
import type { SecretStorage } from './sealedFile';

const storage: SecretStorage = { isEncryptionAvailable: () => true, encryptString: () => Buffer.alloc(0), decryptString: () => '' };
const safe = { kind: 'safe-storage' as const, storage };
const backend = (name: string) => ({ getSelectedStorageBackend: () => name });

describe('atRestProtection', () => {
  it('says plainly that the basic_text backend does not protect the identity', () => {
    const result = atRestProtection(safe, 'linux', backend('basic_text'));
    expect(result.protected).toBe(false);
    expect(result.description).toMatch(/^Not protected at rest: this system has no key store/);
    expect(result.description).not.toMatch(/encrypted at rest/i);
    // ... and offers the passphrase store instead.
    expect(result.passphraseOffered).toBe(true);
    expect(atRestProtection(safe, 'linux', backend('unknown')).passphraseOffered).toBe(true);
    expect(atRestProtection(safe, 'linux', backend('kwallet6')).passphraseOffered).toBeUndefined();
  });

  it('says the stores are sealed with the passphrase once the user chose one, on any backend', async () => {
    const sealer = await import('./passphraseStore').then(async ({ createPassphraseStore }) => {
      const { temporaryFolder } = await import('./testing/fakeSecretStorage');
      const folder = await temporaryFolder();
      try {
        return await createPassphraseStore(folder.dir, 'correct horse battery', 14);
      } finally {
        await folder.remove();
      }
    });
    const result = atRestProtection({ kind: 'passphrase', sealer, previous: storage }, 'linux', backend('basic_text'));
    expect(result).toEqual({ protected: true, description: expect.stringMatching(/^Encrypted at rest with your passphrase/) });
  });

  it('names the key store when there is one', () => {
    expect(atRestProtection(safe, 'linux', backend('gnome_libsecret'))).toEqual({ protected: true, description: expect.stringContaining('Secret Service') });
    expect(atRestProtection(safe, 'linux', backend('kwallet6'))).toEqual({ protected: true, description: 'Encrypted at rest with KWallet.' });
    expect(atRestProtection(safe, 'darwin', {})).toEqual({ protected: true, description: 'Encrypted at rest with the macOS Keychain.' });
    expect(atRestProtection(safe, 'win32', {}).protected).toBe(true);
  });

  it('claims nothing when the Linux backend is unknown, and flags the test-only plaintext mode', () => {
    expect(atRestProtection(safe, 'linux', backend('unknown'))).toMatchObject({
      protected: false,
      description: expect.stringMatching(/^Protection at rest unknown/),
    });
    expect(atRestProtection(safe, 'linux', {}).protected).toBe(false);
    expect(atRestProtection({ kind: 'insecure-plaintext' }, 'darwin', {})).toMatchObject({
      protected: false,
      description: expect.stringContaining('SOFTPHONE_INSECURE_PLAINTEXT_KEYS=1'),
    });
  });
});
