// The identity backup file: this device's identity key and handle, encrypted with a passphrase so
// the user can move the identity to a new device. Both hosts use it (Electron main, the web host).
//
// Format, version 1 (JSON, every binary field unpadded base64url):
//   { format: "softphone-identity-backup", version: 1,
//     kdf: { name: "scrypt", log2N, r: 8, p: 1, salt (16 bytes) },
//     cipher: { name: "xchacha20-poly1305", nonce (24 bytes) },
//     check (16 bytes), ciphertext }
// scrypt turns the passphrase into a master key; HKDF-SHA256 splits it into the encryption key and
// a 16-byte check value. The check value tells a wrong passphrase apart from a file that was changed
// after export: with the right passphrase the check matches and only tampering can fail the AEAD.
// (It lets nobody test guesses faster than the AEAD tag already does.) Every header field is bound
// into the AEAD as associated data. The plaintext is JSON { secretKey, handle }; nothing else about
// the identity — not even its public key — is readable without the passphrase.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { equalBytes, randomBytes } from '@noble/ciphers/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { BackupFileText, NewBackupPassphrase } from './bridge';
import { fromBase64Url, toBase64Url, utf8ToBytes } from './encoding';
import { Handle, base64UrlBytes } from './protocol';

export const IDENTITY_BACKUP_FORMAT = 'softphone-identity-backup';
export const IDENTITY_BACKUP_VERSION = 1;

/** scrypt cost as log2(N): 2^17 with r = 8 takes 128 MiB and about a second, as OWASP suggests. */
export const DEFAULT_BACKUP_LOG2N = 17;
/** Costs a file may name: below 2^14 is too weak to accept, above 2^18 needs more memory than a tab has. */
const LOG2N_RANGE = { min: 14, max: 18 } as const;

const BackupHeader = z.object({
  format: z.literal(IDENTITY_BACKUP_FORMAT),
  version: z.number().int(),
});

const BackupFileV1 = z.strictObject({
  format: z.literal(IDENTITY_BACKUP_FORMAT),
  version: z.literal(1),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    log2N: z.number().int().min(LOG2N_RANGE.min).max(LOG2N_RANGE.max),
    r: z.literal(8),
    p: z.literal(1),
    salt: base64UrlBytes(16, 'the salt'),
  }),
  cipher: z.strictObject({ name: z.literal('xchacha20-poly1305'), nonce: base64UrlBytes(24, 'the nonce') }),
  check: base64UrlBytes(16, 'the check value'),
  ciphertext: z.string().regex(/^[A-Za-z0-9_-]{60,400}$/, 'the ciphertext is not base64url of a plausible length'),
});
type BackupFileV1 = z.infer<typeof BackupFileV1>;

const BackupPayload = z.strictObject({
  secretKey: base64UrlBytes(32, 'the secret key'),
  handle: Handle.nullable(),
});

export type IdentityBackupProblem = 'not-a-backup' | 'unsupported-version' | 'damaged' | 'wrong-passphrase' | 'tampered';

/** Why a backup could not be opened; the message is meant for the user and holds nothing secret. */
export class IdentityBackupError extends Error {
  constructor(
    readonly problem: IdentityBackupProblem,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityBackupError';
  }
}

/** An identity as exported and imported: the Ed25519 secret key (seed) and the registered handle. */
export interface BackedUpIdentity {
  secretKey: Uint8Array;
  handle: Handle | null;
}

export interface ExportOptions {
  /** scrypt cost as log2(N); the tests lower it to keep fast. */
  log2N?: number;
  random?: (length: number) => Uint8Array;
}

/** The name offered when saving a backup, e.g. softphone-identity-alice.json. */
export function backupFileName(handle: Handle | null): string {
  return `softphone-identity-${handle ?? 'unregistered'}.json`;
}

/** Encrypts the identity with the passphrase; returns the file's text. */
export async function exportIdentityBackup(identity: BackedUpIdentity, passphrase: string, options: ExportOptions = {}): Promise<string> {
  const checked = NewBackupPassphrase.safeParse(passphrase);
  if (!checked.success) throw new Error(`The identity was not exported: ${checked.error.issues[0]?.message ?? 'the passphrase is not valid'}.`);
  const random = options.random ?? randomBytes;
  const header: Omit<BackupFileV1, 'check' | 'ciphertext'> = {
    format: IDENTITY_BACKUP_FORMAT,
    version: 1,
    kdf: { name: 'scrypt', log2N: options.log2N ?? DEFAULT_BACKUP_LOG2N, r: 8, p: 1, salt: toBase64Url(random(16)) },
    cipher: { name: 'xchacha20-poly1305', nonce: toBase64Url(random(24)) },
  };
  const keys = await deriveKeys(header, passphrase);
  const check = toBase64Url(keys.check);
  const plaintext = utf8ToBytes(JSON.stringify({ secretKey: toBase64Url(identity.secretKey), handle: identity.handle }));
  try {
    const ciphertext = xchacha20poly1305(keys.encryption, fromBase64Url(header.cipher.nonce), associatedData({ ...header, check })).encrypt(plaintext);
    const file: BackupFileV1 = { ...header, check, ciphertext: toBase64Url(ciphertext) };
    return `${JSON.stringify(file, null, 2)}\n`;
  } finally {
    plaintext.fill(0);
    keys.encryption.fill(0);
  }
}

/**
 * Opens a backup with the passphrase. Throws IdentityBackupError saying whether the file is not a
 * backup at all, from a newer version, damaged, opened with the wrong passphrase, or changed after
 * it was exported. The returned secret key belongs to the caller, who should zero it after use.
 */
export async function importIdentityBackup(text: string, passphrase: string): Promise<BackedUpIdentity & { publicKey: Uint8Array }> {
  const file = parseBackup(text);
  const keys = await deriveKeys(file, passphrase);
  let plaintext: Uint8Array;
  try {
    if (!equalBytes(keys.check, fromBase64Url(file.check))) {
      throw new IdentityBackupError('wrong-passphrase', 'The passphrase is wrong: it does not open this identity file.');
    }
    try {
      plaintext = xchacha20poly1305(keys.encryption, fromBase64Url(file.cipher.nonce), associatedData(file)).decrypt(fromBase64Url(file.ciphertext));
    } catch {
      throw new IdentityBackupError('tampered', 'The identity file was changed after it was exported, so it cannot be trusted or imported.');
    }
  } finally {
    keys.encryption.fill(0);
  }
  try {
    const payload = BackupPayload.safeParse(JSON.parse(new TextDecoder().decode(plaintext)));
    if (!payload.success) throw new IdentityBackupError('damaged', 'The identity file is damaged: its encrypted contents are not an identity.');
    const secretKey = fromBase64Url(payload.data.secretKey);
    return { secretKey, handle: payload.data.handle, publicKey: ed25519.getPublicKey(secretKey) };
  } catch (error) {
    if (error instanceof IdentityBackupError) throw error;
    throw new IdentityBackupError('damaged', 'The identity file is damaged: its encrypted contents are not an identity.');
  } finally {
    plaintext.fill(0);
  }
}

function parseBackup(text: string): BackupFileV1 {
  let json: unknown;
  try {
    json = JSON.parse(BackupFileText.parse(text));
  } catch {
    throw new IdentityBackupError('not-a-backup', 'This is not a Softphone identity file.');
  }
  const header = BackupHeader.safeParse(json);
  if (!header.success) throw new IdentityBackupError('not-a-backup', 'This is not a Softphone identity file.');
  if (header.data.version !== IDENTITY_BACKUP_VERSION) {
    throw new IdentityBackupError(
      'unsupported-version',
      `This identity file has format version ${header.data.version}, which this version of Softphone cannot read (it reads version ${IDENTITY_BACKUP_VERSION}).`,
    );
  }
  const file = BackupFileV1.safeParse(json);
  if (!file.success) {
    const issue = file.error.issues[0];
    const where = issue?.path.join('.') || 'the file';
    throw new IdentityBackupError('damaged', `The identity file is damaged: ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return file.data;
}

async function deriveKeys(file: Pick<BackupFileV1, 'kdf'>, passphrase: string): Promise<{ encryption: Uint8Array; check: Uint8Array }> {
  return derivePassphraseKeys(passphrase, file.kdf, 'softphone/identity-backup/v1');
}

/**
 * A passphrase's keys: scrypt (r = 8, p = 1) to a master key, split by HKDF-SHA256 into a 32-byte
 * encryption key and a 16-byte check value that tells a wrong passphrase at once. `label` keeps
 * each use's keys apart (identity backups here, main's passphrase store).
 */
export async function derivePassphraseKeys(
  passphrase: string,
  kdf: { log2N: number; salt: string },
  label: string,
): Promise<{ encryption: Uint8Array; check: Uint8Array }> {
  const master = await scryptAsync(utf8ToBytes(passphrase.normalize('NFC')), fromBase64Url(kdf.salt), { N: 2 ** kdf.log2N, r: 8, p: 1, dkLen: 32 });
  try {
    return {
      encryption: hkdf(sha256, master, undefined, utf8ToBytes(`${label}/key`), 32),
      check: hkdf(sha256, master, undefined, utf8ToBytes(`${label}/check`), 16),
    };
  } finally {
    master.fill(0);
  }
}

/** Every header field, in a fixed order: changing any of them fails the AEAD. */
function associatedData(file: Omit<BackupFileV1, 'ciphertext'>): Uint8Array {
  const { kdf, cipher } = file;
  return utf8ToBytes([file.format, file.version, kdf.name, kdf.log2N, kdf.r, kdf.p, kdf.salt, cipher.name, cipher.nonce, file.check].join('\n'));
}
