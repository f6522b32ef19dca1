// Files whose content is secret (the identity key, the pinned contact keys, the call history) are
// sealed with the operating system's secret store through Electron's safeStorage, or, where the
// system has no key store and the user chose it, with a key from their passphrase
// (passphraseStore.ts). Tests may run with an explicit, loudly flagged plaintext mode instead. All three stores (identity, contacts,
// history) read and write through this module, so they share one file format and one way of
// handling a file that cannot be read.
import { basename, join } from 'node:path';
import { z } from 'zod';
import { keepAside, readTextIfExists, writeFileAtomic } from './atomicFile';
import { PASSPHRASE_STORE_FILE, type PassphraseSealer } from './passphraseStore';

/** The part of Electron's `safeStorage` the stores use; injected so tests never load Electron. */
export interface SecretStorage {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export type SecretProtection =
  | { kind: 'safe-storage'; storage: SecretStorage }
  /** `previous` opens files still sealed with the system's store, until they are sealed again. */
  | { kind: 'passphrase'; sealer: PassphraseSealer; previous: SecretStorage }
  | { kind: 'insecure-plaintext' };

/** Setting this environment variable to `1` stores secrets unencrypted: for tests only. */
export const INSECURE_PLAINTEXT_ENV = 'SOFTPHONE_INSECURE_PLAINTEXT_KEYS';

export const INSECURE_PLAINTEXT_WARNING =
  `NOT ENCRYPTED: secrets are stored in plaintext because ${INSECURE_PLAINTEXT_ENV}=1. ` +
  'Use this only for tests; anyone who can read this file can impersonate this device.';

/** Picks the protection for this run; the plaintext mode must be asked for and is announced on stderr. */
export function protectionFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  storage: SecretStorage,
  warn: (message: string) => void,
): SecretProtection {
  if (env[INSECURE_PLAINTEXT_ENV] === '1') {
    warn(`WARNING: ${INSECURE_PLAINTEXT_WARNING}`);
    return { kind: 'insecure-plaintext' };
  }
  return { kind: 'safe-storage', storage };
}

const FORMAT = 'softphone-sealed/1';

const SealedFile = z.discriminatedUnion('protection', [
  z.object({ format: z.literal(FORMAT), protection: z.literal('safe-storage'), sealed: z.base64() }),
  z.object({ format: z.literal(FORMAT), protection: z.literal('passphrase'), sealed: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
  z.object({
    format: z.literal(FORMAT),
    protection: z.literal('insecure-plaintext'),
    warning: z.string(),
    content: z.unknown(),
  }),
]);
type SealedFile = z.infer<typeof SealedFile>;

/** The file could not be used; it was renamed to `keptAt` and nothing was overwritten. */
export class StoreUnreadableError extends Error {
  override readonly name = 'StoreUnreadableError';
  constructor(
    readonly what: string,
    readonly reason: string,
    readonly keptAt: string,
  ) {
    super(`${what} could not be read (${reason}). It was kept as ${keptAt}.`);
  }
}

/** The secret store cannot open the file right now; the file was left as it is. */
export class SecretStoreLockedError extends Error {
  override readonly name = 'SecretStoreLockedError';
}

export interface SealedFileOptions<T> {
  path: string;
  /** What the file is, for messages: "The identity file". */
  what: string;
  schema: z.ZodType<T>;
  protection: SecretProtection;
  now?: () => Date;
}

/** How main opens each sealed store (identity, contacts, history). */
export interface StoreOptions {
  /** The app's user-data folder. */
  dir: string;
  protection: SecretProtection;
  now?: () => Date;
}

/** The sealed file `name` in the store's folder. */
export function sealedFileIn<T>(options: StoreOptions, file: { name: string; what: string; schema: z.ZodType<T> }): SealedFileOptions<T> {
  const { dir, ...rest } = options;
  return { ...rest, path: join(dir, file.name), what: file.what, schema: file.schema };
}

/**
 * Reads and checks a sealed file: null when there is none yet. A file that is damaged, cannot be
 * decrypted, does not match the schema, or was stored in plaintext while this run expects
 * encryption is kept aside and reported with StoreUnreadableError.
 */
export async function readSealedFile<T>(options: SealedFileOptions<T>): Promise<T | null> {
  const { path, what, schema, protection } = options;
  const text = await readTextIfExists(path);
  if (text === null) return null;

  const unreadable = async (reason: string): Promise<never> => {
    const keptAt = await keepAside(path, options.now?.() ?? new Date());
    throw new StoreUnreadableError(what, reason, keptAt);
  };

  const file = SealedFile.safeParse(parseJson(text));
  if (!file.success) return unreadable('it is not a sealed Softphone file');

  let content: unknown;
  if (file.data.protection === 'safe-storage') {
    const storage = protection.kind === 'safe-storage' ? protection.storage : protection.kind === 'passphrase' ? protection.previous : null;
    if (!storage) {
      throw new SecretStoreLockedError(
        `${what} is encrypted with the system's secret store, but this run stores secrets in plaintext (${INSECURE_PLAINTEXT_ENV}=1) and will not open it.`,
      );
    }
    if (!storage.isEncryptionAvailable()) {
      throw new SecretStoreLockedError(`${what} cannot be decrypted: the system's secret store is not available.`);
    }
    let plain: string;
    try {
      plain = storage.decryptString(Buffer.from(file.data.sealed, 'base64'));
    } catch {
      return unreadable('it could not be decrypted with this system account');
    }
    content = parseJson(plain);
  } else if (file.data.protection === 'passphrase') {
    if (protection.kind !== 'passphrase') {
      throw new SecretStoreLockedError(
        `${what} is protected with your passphrase, but the passphrase file (${PASSPHRASE_STORE_FILE}) is not in the data folder. Restore it from a backup of this folder.`,
      );
    }
    let plain: string;
    try {
      plain = protection.sealer.open(basename(path), file.data.sealed);
    } catch {
      // The passphrase was checked before any store opened: this file was changed or damaged.
      return unreadable('it does not open with your passphrase: it was changed or damaged');
    }
    content = parseJson(plain);
  } else {
    if (protection.kind !== 'insecure-plaintext') {
      return unreadable('it was stored unencrypted in test mode and is not trusted outside it');
    }
    content = file.data.content;
  }

  const parsed = schema.safeParse(content);
  if (!parsed.success) return unreadable('its content is not valid');
  return parsed.data;
}

/** Seals `content` and writes it atomically, readable by this user only. */
export async function writeSealedFile<T>(options: SealedFileOptions<T>, content: T): Promise<void> {
  const { path, what, schema, protection } = options;
  const checked = schema.parse(content);
  let file: SealedFile;
  if (protection.kind === 'safe-storage') {
    if (!protection.storage.isEncryptionAvailable()) {
      throw new SecretStoreLockedError(`${what} cannot be saved: the system's secret store is not available.`);
    }
    const sealed = protection.storage.encryptString(JSON.stringify(checked)).toString('base64');
    file = { format: FORMAT, protection: 'safe-storage', sealed };
  } else if (protection.kind === 'passphrase') {
    file = { format: FORMAT, protection: 'passphrase', sealed: protection.sealer.seal(basename(path), JSON.stringify(checked)) };
  } else {
    file = { format: FORMAT, protection: 'insecure-plaintext', warning: INSECURE_PLAINTEXT_WARNING, content: checked };
  }
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Seals an existing file again with `options.protection` when it was sealed otherwise (after the
 * user chose a passphrase); a file already sealed so, or none, is left alone. Its content is not
 * checked against a schema here: it was checked when it was written.
 */
export async function resealSealedFile(options: Omit<SealedFileOptions<unknown>, 'schema'>): Promise<boolean> {
  const text = await readTextIfExists(options.path);
  if (text === null) return false;
  const file = SealedFile.safeParse(parseJson(text));
  if (file.success && file.data.protection === options.protection.kind) return false;
  const withSchema = { ...options, schema: z.unknown() };
  const content = await readSealedFile(withSchema);
  if (content === null) return false;
  await writeSealedFile(withSchema, content);
  return true;
}

/** JSON.parse that answers `undefined` for text that is not JSON, so the schema reports it. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
