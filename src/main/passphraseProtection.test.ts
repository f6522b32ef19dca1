// The passphrase store end to end under plain Node: choosing a passphrase seals every store with
// it and restarts; each start asks for it (a wrong one can be retried) before anything opens; a
// damaged or missing passphrase file, a changed store and a crash halfway are each handled
// without losing anything.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CONTACTS_FILE, HISTORY_FILE } from './contactStores';
import type { PassphraseAnswer, PassphraseRequest } from './identityBackupFlow';
import { IDENTITY_FILE } from './identityVault';
import { protectWithPassphrase, resealStores, unlockStores, WRONG_PASSPHRASE } from './passphraseProtection';
import { createPassphraseStore, PASSPHRASE_STORE_FILE, PassphraseSealer, PassphraseStoreError, readPassphraseStore } from './passphraseStore';
import { readSealedFile, SecretStoreLockedError, StoreUnreadableError, writeSealedFile, type SecretProtection } from './sealedFile';
import { FakeSecretStorage, temporaryFolder } from './testing/fakeSecretStorage';

/** The lowest scrypt cost the passphrase file accepts: keeps the tests fast. */
const LOG2N = 14;
const PASSPHRASE = 'correct horse battery';
const Content = z.object({ word: z.string() });

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let storage: FakeSecretStorage;
beforeEach(async () => {
  folder = await temporaryFolder();
  storage = new FakeSecretStorage();
});
afterEach(() => folder.remove());

const STORES = [IDENTITY_FILE, CONTACTS_FILE, HISTORY_FILE];
const file = (name: string, protection: SecretProtection) => ({ path: join(folder.dir, name), what: name, schema: Content, protection });

async function writeStores(protection: SecretProtection): Promise<void> {
  for (const name of STORES) await writeSealedFile(file(name, protection), { word: `secret of ${name}` });
}

/** Main's passphrase window, answering with each of `answers` in turn until one is accepted (or cancelling when they run out). */
function dialogs(...answers: string[]) {
  const problems: (string | null)[] = [];
  const askPassphrase = vi.fn(async (_request: PassphraseRequest, accept: (answer: PassphraseAnswer) => Promise<string | null>) => {
    for (const passphrase of answers) {
      const problem = await accept({ passphrase, repeat: passphrase });
      problems.push(problem);
      if (problem === null) return true;
    }
    return false;
  });
  return { askPassphrase, problems };
}

const flow = (ask: ReturnType<typeof dialogs>, extra: { inCall?: boolean } = {}) => ({
  dir: folder.dir,
  storage,
  dialogs: ask,
  inCall: () => extra.inCall ?? false,
  restartApp: vi.fn(),
  log2N: LOG2N,
});

describe('protecting the stores with a passphrase', () => {
  it('seals every store with the passphrase, writes no secret in the passphrase file, and restarts', async () => {
    await writeStores({ kind: 'safe-storage', storage });
    const options = flow(dialogs('too short', PASSPHRASE));
    expect(await protectWithPassphrase({ kind: 'safe-storage', storage }, options)).toBe('done');
    expect(options.restartApp).toHaveBeenCalledOnce();
    expect(options.dialogs.problems[0]).toMatch(/at least 10 characters/);

    const storeFile = await readFile(join(folder.dir, PASSPHRASE_STORE_FILE), 'utf8');
    expect(storeFile).not.toContain(PASSPHRASE);
    for (const name of STORES) {
      const text = await readFile(join(folder.dir, name), 'utf8');
      expect(JSON.parse(text)).toMatchObject({ protection: 'passphrase' });
      expect(text).not.toContain('secret of');
    }
    // Without the passphrase the system's store alone opens nothing, and nothing is moved aside.
    await expect(readSealedFile(file(IDENTITY_FILE, { kind: 'safe-storage', storage }))).rejects.toThrow(SecretStoreLockedError);
    expect(JSON.parse(await readFile(join(folder.dir, IDENTITY_FILE), 'utf8'))).toMatchObject({ protection: 'passphrase' });

    // The next start asks for it; a wrong one is told and can be typed again.
    const unlock = dialogs('not the passphrase', PASSPHRASE);
    const protection = await unlockStores({ dir: folder.dir, storage, dialogs: unlock });
    expect(unlock.problems).toEqual([WRONG_PASSPHRASE, null]);
    expect(protection?.kind).toBe('passphrase');
    for (const name of STORES) expect(await readSealedFile(file(name, protection!))).toEqual({ word: `secret of ${name}` });
  });

  it('changes nothing when cancelled, and is refused during a call or when not sealed with the system store', async () => {
    await writeStores({ kind: 'safe-storage', storage });
    const before = await readFile(join(folder.dir, IDENTITY_FILE), 'utf8');
    const cancelled = flow(dialogs());
    expect(await protectWithPassphrase({ kind: 'safe-storage', storage }, cancelled)).toBe('cancelled');
    expect(cancelled.restartApp).not.toHaveBeenCalled();
    expect(await readPassphraseStore(folder.dir)).toBeNull();
    expect(await readFile(join(folder.dir, IDENTITY_FILE), 'utf8')).toBe(before);

    const inCall = flow(dialogs(PASSPHRASE), { inCall: true });
    await expect(protectWithPassphrase({ kind: 'safe-storage', storage }, inCall)).rejects.toThrow(/Not during a call/);
    expect(inCall.dialogs.askPassphrase).not.toHaveBeenCalled();
    await expect(protectWithPassphrase({ kind: 'insecure-plaintext' }, flow(dialogs(PASSPHRASE)))).rejects.toThrow(/nothing to protect/);
  });

  it('starts with the system store when no passphrase was chosen, without asking', async () => {
    const ask = dialogs(PASSPHRASE);
    expect(await unlockStores({ dir: folder.dir, storage, dialogs: ask })).toEqual({ kind: 'safe-storage', storage });
    expect(ask.askPassphrase).not.toHaveBeenCalled();
  });

  it('opens nothing when the passphrase is not given at start', async () => {
    await createPassphraseStore(folder.dir, PASSPHRASE, LOG2N);
    expect(await unlockStores({ dir: folder.dir, storage, dialogs: dialogs('wrong passphrase') })).toBeNull();
  });

  it('finishes sealing at the next start after a crash halfway, losing nothing', async () => {
    await writeStores({ kind: 'safe-storage', storage });
    // The passphrase file was written and the identity sealed again, then the app stopped.
    const sealer = await createPassphraseStore(folder.dir, PASSPHRASE, LOG2N);
    const halfway: SecretProtection = { kind: 'passphrase', sealer, previous: storage };
    await writeSealedFile(file(IDENTITY_FILE, halfway), { word: `secret of ${IDENTITY_FILE}` });

    const protection = await unlockStores({ dir: folder.dir, storage, dialogs: dialogs(PASSPHRASE) });
    for (const name of STORES) {
      expect(JSON.parse(await readFile(join(folder.dir, name), 'utf8'))).toMatchObject({ protection: 'passphrase' });
      expect(await readSealedFile(file(name, protection!))).toEqual({ word: `secret of ${name}` });
    }
    expect(await resealStores(folder.dir, protection!)).toBe(0);
  });

  it('keeps a store that was changed aside, and refuses a damaged passphrase file with what to do', async () => {
    await writeStores({ kind: 'safe-storage', storage });
    await protectWithPassphrase({ kind: 'safe-storage', storage }, flow(dialogs(PASSPHRASE)));
    const protection = await unlockStores({ dir: folder.dir, storage, dialogs: dialogs(PASSPHRASE) });

    const path = join(folder.dir, CONTACTS_FILE);
    const sealedFile = JSON.parse(await readFile(path, 'utf8')) as { sealed: string };
    const flipped = sealedFile.sealed.slice(0, -2) + (sealedFile.sealed.at(-2) === 'A' ? 'B' : 'A') + sealedFile.sealed.at(-1)!;
    await writeFile(path, JSON.stringify({ ...sealedFile, sealed: flipped }));
    await expect(readSealedFile(file(CONTACTS_FILE, protection!))).rejects.toThrow(StoreUnreadableError);

    // One store's sealed text moved into another's file does not open there either.
    const identity = await readFile(join(folder.dir, IDENTITY_FILE), 'utf8');
    await writeFile(join(folder.dir, HISTORY_FILE), identity);
    await expect(readSealedFile(file(HISTORY_FILE, protection!))).rejects.toThrow(/changed or damaged/);

    await writeFile(join(folder.dir, PASSPHRASE_STORE_FILE), '{"format":"softphone-passphrase-store","version":1}');
    await expect(unlockStores({ dir: folder.dir, storage, dialogs: dialogs(PASSPHRASE) })).rejects.toThrow(PassphraseStoreError);
    await rm(join(folder.dir, PASSPHRASE_STORE_FILE));
    // Without the passphrase file the stores stay locked and untouched.
    const started = await unlockStores({ dir: folder.dir, storage, dialogs: dialogs(PASSPHRASE) });
    await expect(readSealedFile(file(IDENTITY_FILE, started!))).rejects.toThrow(/passphrase file/);
    expect(await readFile(join(folder.dir, IDENTITY_FILE), 'utf8')).toBe(identity);
  });
});

describe('the passphrase sealer', () => {
  it('answers null for a wrong passphrase and opens only what it sealed, for the same role', async () => {
    await createPassphraseStore(folder.dir, PASSPHRASE, LOG2N);
    const stored = (await readPassphraseStore(folder.dir))!;
    expect(await PassphraseSealer.unlock(stored, 'correct horse battery!')).toBeNull();
    const sealer = (await PassphraseSealer.unlock(stored, PASSPHRASE))!;
    const sealed = sealer.seal('identity.json', 'hello');
    expect(sealer.seal('identity.json', 'hello')).not.toBe(sealed);
    expect(sealer.open('identity.json', sealed)).toBe('hello');
    expect(() => sealer.open('contacts.json', sealed)).toThrow();
    expect(() => sealer.open('identity.json', 'AAAA')).toThrow();
  });

  it('refuses a passphrase file with a cost below what it accepts', async () => {
    await createPassphraseStore(folder.dir, PASSPHRASE, LOG2N);
    const path = join(folder.dir, PASSPHRASE_STORE_FILE);
    const stored = JSON.parse(await readFile(path, 'utf8')) as { kdf: { log2N: number } };
    await writeFile(path, JSON.stringify({ ...stored, kdf: { ...stored.kdf, log2N: 4 } }));
    await expect(readPassphraseStore(folder.dir)).rejects.toThrow(PassphraseStoreError);
  });
});
