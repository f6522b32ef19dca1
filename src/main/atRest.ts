// How this device's secrets (the identity key, the pinned contacts, the call history) are
// protected at rest, in words Settings shows. On Linux without a key store Electron's safeStorage
// falls back to `basic_text`, which seals with a fixed password built into Chromium: the file is
// then as readable as plaintext to anyone who can read the user's files: the app says so and offers
// a passphrase instead (passphraseProtection.ts).
import type { IdentityAtRest } from '../shared/bridge';
import { INSECURE_PLAINTEXT_ENV, type SecretProtection } from './sealedFile';

/** The part of Electron's safeStorage that names the Linux backend (after the app is ready). */
export interface StorageBackendQuery {
  getSelectedStorageBackend?: () => string;
}

const KEY_STORE: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'the macOS Keychain',
  win32: 'Windows (DPAPI, tied to your Windows account)',
};

const LINUX_KEY_STORE: Record<string, string> = {
  gnome_libsecret: 'the Secret Service (GNOME Keyring or a compatible key store)',
  kwallet: 'KWallet',
  kwallet5: 'KWallet',
  kwallet6: 'KWallet',
};

export function atRestProtection(protection: SecretProtection, platform: NodeJS.Platform, storage: StorageBackendQuery): IdentityAtRest {
  if (protection.kind === 'insecure-plaintext') {
    return {
      protected: false,
      description: `Not protected at rest: ${INSECURE_PLAINTEXT_ENV}=1 stores the identity key unencrypted (for tests only). Anyone who can read this app's data folder can use your identity.`,
    };
  }
  if (protection.kind === 'passphrase') {
    return {
      protected: true,
      description:
        'Encrypted at rest with your passphrase, which Softphone asks for each time it starts. Without it nobody can open your identity, contacts or call history on this device.',
    };
  }
  if (platform !== 'linux') {
    const store = KEY_STORE[platform];
    return store
      ? { protected: true, description: `Encrypted at rest with ${store}.` }
      : { protected: true, description: 'Encrypted at rest with the system’s key store.' };
  }
  const backend = storage.getSelectedStorageBackend?.() ?? 'unknown';
  const store = LINUX_KEY_STORE[backend];
  if (store) return { protected: true, description: `Encrypted at rest with ${store}.` };
  if (backend === 'basic_text') {
    return {
      protected: false,
      description:
        'Not protected at rest: this system has no key store Softphone can use (no Secret Service such as GNOME Keyring, and no KWallet), so the identity key is sealed with a fixed password built into the app. Anyone who can read your files can read it and use your identity. Protect it with a passphrase, keep your home folder encrypted, or use a desktop session with a key store.',
      passphraseOffered: true,
    };
  }
  return {
    protected: false,
    description: `Protection at rest unknown: the system's key store could not be identified (${backend.slice(0, 40)}). Treat the identity key as readable by anyone who can read your files, or protect it with a passphrase.`,
    passphraseOffered: true,
  };
}
