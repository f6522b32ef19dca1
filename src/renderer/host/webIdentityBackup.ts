// Identity export and import for the web host, over the identity kept in the browser's storage.
// Importing writes the new identity's seed and reloads the page, which starts over with it (as the
// desktop app restarts) and moves the seed into a non-extractable key where the browser can. Export
// needs the seed, so it works only where the browser keeps the seed itself (no WebCrypto Ed25519).
import type { WebCalls } from '../../shared/bridge';
import { fingerprint } from '../../shared/e2ee/securityCode';
import { toBase64Url } from '../../shared/encoding';
import { backupFileName, exportIdentityBackup, importIdentityBackup } from '../../shared/identityBackup';
import type { Handle } from '../../shared/protocol';

export interface WebIdentity {
  /** Null where the key is a non-extractable WebCrypto key: then there is nothing to export. */
  seed: Uint8Array | null;
  handle: Handle | null;
}

export interface WebIdentityBackupOptions {
  current: () => WebIdentity;
  inCall: () => boolean;
  /** Stores the imported identity as the page reads it at start. */
  save: (identity: { seed: string; handle: Handle | null }) => void;
  restart: () => void;
}

/** Why the web client cannot export an identity kept as a non-extractable key. */
export const NOT_EXPORTABLE =
  'This browser keeps your identity key so that the page can sign with it but never read it, so it cannot be exported. For an identity you can back up, make it in the desktop app, export it there and import the file here: importing still works.';

type BackupCalls = Pick<WebCalls, 'identity.export' | 'identity.checkImport' | 'identity.import'>;

export function webIdentityBackupCalls(options: WebIdentityBackupOptions): BackupCalls {
  const infoOf = (publicKey: Uint8Array, handle: Handle | null) => ({ publicKey: toBase64Url(publicKey), handle, fingerprint: fingerprint(publicKey) });
  return {
    'identity.export': async ({ passphrase }) => {
      const { seed, handle } = options.current();
      if (!seed) throw new Error(NOT_EXPORTABLE);
      return { fileName: backupFileName(handle), contents: await exportIdentityBackup({ secretKey: seed, handle }, passphrase) };
    },
    'identity.checkImport': async ({ file, passphrase }) => {
      const opened = await importIdentityBackup(file, passphrase);
      opened.secretKey.fill(0);
      return infoOf(opened.publicKey, opened.handle);
    },
    'identity.import': async ({ file, passphrase }) => {
      if (options.inCall()) throw new Error('Finish the call before importing an identity.');
      const opened = await importIdentityBackup(file, passphrase);
      options.save({ seed: toBase64Url(opened.secretKey), handle: opened.handle });
      opened.secretKey.fill(0);
      options.restart();
      return infoOf(opened.publicKey, opened.handle);
    },
  };
}
