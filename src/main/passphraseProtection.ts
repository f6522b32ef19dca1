// Where the system has no key store (atRest.ts), the user can protect this device's sealed stores
// with a passphrase instead: main asks for a new one in its own passphrase window, writes the
// passphrase file, seals the identity, contacts and call history again with the key from it and
// restarts; from then on main asks for the passphrase at each start, before any store opens. The
// renderer only starts the flow and learns done or cancelled; the passphrase never crosses the
// bridge. The passphrase file is written before any store is sealed again, and a start that finds
// a store still sealed the old way seals it then: a crash halfway loses nothing.
import type { BackupOutcome } from '../shared/bridge';
import { CONTACTS_FILE, HISTORY_FILE } from './contactStores';
import { newPassphraseProblem, type BackupDialogs, type PassphraseRequest } from './identityBackupFlow';
import { IDENTITY_FILE } from './identityVault';
import { createPassphraseStore, DEFAULT_STORE_LOG2N, PassphraseSealer, readPassphraseStore } from './passphraseStore';
import { resealSealedFile, type SecretProtection, type SecretStorage } from './sealedFile';
import { join } from 'node:path';

/** The sealed stores, by file name and what they are. */
const SEALED_STORES = [
  { name: IDENTITY_FILE, what: 'The identity file' },
  { name: CONTACTS_FILE, what: 'The contacts file' },
  { name: HISTORY_FILE, what: 'The call history file' },
] as const;

export const NEW_STORE_PASSPHRASE_REQUEST: PassphraseRequest = {
  kind: 'new',
  title: 'Protect with a passphrase',
  message:
    'This system has no key store, so your identity is protected only by a password built into the app. Choose a passphrase of at least 10 characters: Softphone will ask for it each time it starts, and without it nobody can open your identity, contacts or call history on this device — not even you, so keep it safe or export your identity first.',
  confirm: 'Protect',
};

export const UNLOCK_REQUEST: PassphraseRequest = {
  kind: 'existing',
  title: 'Unlock Softphone',
  message: 'Your identity, contacts and call history on this device are protected with a passphrase. Enter it to start Softphone.',
  confirm: 'Unlock',
};

export const WRONG_PASSPHRASE = 'That passphrase does not unlock this device’s stores. Try again.';

export interface PassphraseProtectionOptions {
  /** The app's user-data folder. */
  dir: string;
  /** The system's store, which sealed the files until now. */
  storage: SecretStorage;
  dialogs: Pick<BackupDialogs, 'askPassphrase'>;
  inCall: () => boolean;
  /** Restarts the app, so every store opens with the passphrase. */
  restartApp: () => void;
  /** scrypt cost as log2(N); the tests lower it. */
  log2N?: number;
}

/**
 * At start: the system's store when no passphrase was chosen; else asks for the passphrase (a
 * wrong one can be typed again) and seals any store still sealed the old way. Null when the user
 * cancelled (the app then quits without opening anything).
 */
export async function unlockStores(options: Pick<PassphraseProtectionOptions, 'dir' | 'storage' | 'dialogs'>): Promise<SecretProtection | null> {
  const file = await readPassphraseStore(options.dir);
  if (!file) return { kind: 'safe-storage', storage: options.storage };
  const unlocked: { sealer: PassphraseSealer | null } = { sealer: null };
  const accepted = await options.dialogs.askPassphrase(UNLOCK_REQUEST, async ({ passphrase }) => {
    unlocked.sealer = await PassphraseSealer.unlock(file, passphrase);
    return unlocked.sealer ? null : WRONG_PASSPHRASE;
  });
  if (!accepted || !unlocked.sealer) return null;
  const protection: SecretProtection = { kind: 'passphrase', sealer: unlocked.sealer, previous: options.storage };
  await resealStores(options.dir, protection);
  return protection;
}

/** Seals every store that is not sealed with `protection` yet; answers how many were. */
export async function resealStores(dir: string, protection: SecretProtection): Promise<number> {
  let count = 0;
  for (const store of SEALED_STORES) {
    if (await resealSealedFile({ path: join(dir, store.name), what: store.what, protection })) count++;
  }
  return count;
}

/** The Settings action: chooses a passphrase in main's window, seals the stores with it, restarts. */
export async function protectWithPassphrase(current: SecretProtection, options: PassphraseProtectionOptions): Promise<BackupOutcome> {
  if (current.kind !== 'safe-storage')
    throw new Error('The stores on this device are not sealed with the system’s store, so there is nothing to protect with a passphrase.');
  if (options.inCall()) throw new Error('Not during a call: Softphone restarts once the passphrase is set.');
  const chosen: { passphrase: string | null } = { passphrase: null };
  const accepted = await options.dialogs.askPassphrase(NEW_STORE_PASSPHRASE_REQUEST, async (answer) => {
    const problem = newPassphraseProblem(answer);
    if (problem === null) chosen.passphrase = answer.passphrase;
    return problem;
  });
  if (!accepted || chosen.passphrase === null) return 'cancelled';
  if (options.inCall()) throw new Error('Not during a call: Softphone restarts once the passphrase is set.');
  const sealer = await createPassphraseStore(options.dir, chosen.passphrase, options.log2N ?? DEFAULT_STORE_LOG2N);
  await resealStores(options.dir, { kind: 'passphrase', sealer, previous: options.storage });
  options.restartApp();
  return 'done';
}
