// A passphrase-protected store for systems without a key store (Linux's `basic_text`, see
// atRest.ts): the user chooses a passphrase, main asks for it at each start, and the sealed files
// (identity, contacts, history) are encrypted with a key derived from it instead of Chromium's
// built-in password. Neither the passphrase nor the sealing key is written down: only a salt and a check value.
//
// The passphrase file (`passphrase-store.json`, not secret):
//   { format: "softphone-passphrase-store", version: 1,
//     kdf: { name: "scrypt", log2N, r: 8, p: 1, salt (16 bytes) }, check (16 bytes) }
// The keys come as for identity backups (derivePassphraseKeys in shared/identityBackup.ts, under
// this store's own label): the sealing key and a check value that tells a wrong passphrase at once (the
// check lets nobody test guesses faster than opening a sealed file would). Each sealed file is
// XChaCha20-Poly1305 under the sealing key with a fresh random 24-byte nonce, the file's role bound
// as associated data so one store's file cannot be swapped in for another's.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { equalBytes, randomBytes } from '@noble/ciphers/utils.js';
import { join } from 'node:path';
import { z } from 'zod';
import { NewBackupPassphrase } from '../shared/bridge';
import { derivePassphraseKeys } from '../shared/identityBackup';
import { fromBase64Url, toBase64Url, utf8ToBytes } from '../shared/encoding';
import { base64UrlBytes } from '../shared/protocol';
import { readTextIfExists, writeFileAtomic } from './atomicFile';

export const PASSPHRASE_STORE_FILE = 'passphrase-store.json';
const FORMAT = 'softphone-passphrase-store';

/** scrypt cost as log2(N): 2^17 with r = 8 takes 128 MiB and about a second, once per start. */
export const DEFAULT_STORE_LOG2N = 17;

const PassphraseStoreFile = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    log2N: z.number().int().min(14).max(20),
    r: z.literal(8),
    p: z.literal(1),
    salt: base64UrlBytes(16, 'the salt'),
  }),
  check: base64UrlBytes(16, 'the check value'),
});
export type PassphraseStoreFile = z.infer<typeof PassphraseStoreFile>;

const NONCE_BYTES = 24;

/** The passphrase file is missing parts or is not one: nothing can be opened until it is restored. */
export class PassphraseStoreError extends Error {
  override readonly name = 'PassphraseStoreError';
}

/** Seals and opens the stores' contents with the key derived from the user's passphrase. */
export class PassphraseSealer {
  private constructor(private readonly key: Uint8Array) {}

  /** Derives the keys; null when the passphrase does not match the file's check value. */
  static async unlock(file: PassphraseStoreFile, passphrase: string): Promise<PassphraseSealer | null> {
    const { key, check } = await deriveKeys(passphrase, file.kdf);
    if (!equalBytes(check, fromBase64Url(file.check))) {
      key.fill(0);
      return null;
    }
    return new PassphraseSealer(key);
  }

  /** `role` names the file (its name in the data folder); it is bound to the sealed text. */
  seal(role: string, plainText: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const sealed = xchacha20poly1305(this.key, nonce, utf8ToBytes(role)).encrypt(utf8ToBytes(plainText));
    return toBase64Url(concat(nonce, sealed));
  }

  /** Throws when the text was not sealed with this key for this role, or was changed. */
  open(role: string, sealedText: string): string {
    const bytes = fromBase64Url(sealedText);
    if (bytes.length < NONCE_BYTES + 16) throw new Error('sealed text too short');
    const plain = xchacha20poly1305(this.key, bytes.subarray(0, NONCE_BYTES), utf8ToBytes(role)).decrypt(bytes.subarray(NONCE_BYTES));
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  }
}

async function deriveKeys(passphrase: string, kdf: { log2N: number; salt: string }): Promise<{ key: Uint8Array; check: Uint8Array }> {
  const { encryption, check } = await derivePassphraseKeys(passphrase, kdf, 'softphone/passphrase-store/v1');
  return { key: encryption, check };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The data folder's passphrase file: null when the stores are not passphrase-protected. */
export async function readPassphraseStore(dir: string): Promise<PassphraseStoreFile | null> {
  const text = await readTextIfExists(join(dir, PASSPHRASE_STORE_FILE));
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = PassphraseStoreFile.safeParse(json);
  if (!parsed.success) {
    throw new PassphraseStoreError(
      `The passphrase file ${PASSPHRASE_STORE_FILE} is damaged, so the identity, contacts and call history protected with your passphrase cannot be opened. Restore the file from a backup of this folder, or remove it together with the sealed files to start afresh.`,
    );
  }
  return parsed.data;
}

/** Chooses a new salt for `passphrase`, writes the passphrase file and answers the sealer. */
export async function createPassphraseStore(dir: string, passphrase: string, log2N = DEFAULT_STORE_LOG2N): Promise<PassphraseSealer> {
  const kdf = { name: 'scrypt' as const, log2N, r: 8 as const, p: 1 as const, salt: toBase64Url(randomBytes(16)) };
  const { key, check } = await deriveKeys(NewBackupPassphrase.parse(passphrase), kdf);
  key.fill(0);
  const file: PassphraseStoreFile = { format: FORMAT, version: 1, kdf, check: toBase64Url(check) };
  await writeFileAtomic(join(dir, PASSPHRASE_STORE_FILE), `${JSON.stringify(file, null, 2)}\n`);
  const sealer = await PassphraseSealer.unlock(file, passphrase);
  if (!sealer) throw new Error('the passphrase file just written does not open');
  return sealer;
}
