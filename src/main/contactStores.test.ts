import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTACTS_FILE, HISTORY_FILE, openCallHistory, openContactBook } from './contactStores';
import { type SecretProtection, StoreUnreadableError } from './sealedFile';
import { FakeSecretStorage, temporaryFolder } from './testing/fakeSecretStorage';
import type { HistoryEntry } from '../shared/contacts/callHistory';

const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const KEY_B = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let protection: SecretProtection;
beforeEach(async () => {
  folder = await temporaryFolder();
  protection = { kind: 'safe-storage', storage: new FakeSecretStorage() };
});
afterEach(() => folder.remove());

const contacts = () => openContactBook({ dir: folder.dir, protection });
const history = () => openCallHistory({ dir: folder.dir, protection });

const call: HistoryEntry = {
  callId: 'AAAAAAAAAAAAAAAAAAAAAA',
  peer: 'bob',
  direction: 'incoming',
  startedAt: 1000,
  answeredAt: null,
  endedAt: 5000,
  outcome: 'missed',
  endReason: 'no-answer',
  e2ee: true,
  video: false,
  seen: false,
};

describe('the contact book in main', () => {
  it('knows nobody at first, and keeps pins and contacts across runs, sealed at rest', async () => {
    expect(await (await contacts()).get('bob')).toBeNull();
    const book = await contacts();
    await book.pin('bob', KEY_A);
    await book.add('carol', KEY_B);
    await book.setFavourite('carol', true);

    const reopened = await contacts();
    expect(await reopened.get('bob')).toEqual({ publicKey: KEY_A, verified: false });
    expect(reopened.list()).toMatchObject([{ handle: 'carol', publicKey: KEY_B, favourite: true, keyChanged: false }]);
    const file = await readFile(join(folder.dir, CONTACTS_FILE), 'utf8');
    for (const secret of ['bob', 'carol', KEY_A, KEY_B]) expect(file).not.toContain(secret);
  });

  it('keeps every contact when changes arrive together', async () => {
    const book = await contacts();
    await Promise.all([book.pin('bob', KEY_A), book.pin('carol', KEY_B), book.markVerified('dave', KEY_A)]);
    const reopened = await contacts();
    expect(await reopened.get('bob')).toEqual({ publicKey: KEY_A, verified: false });
    expect(await reopened.get('carol')).toEqual({ publicKey: KEY_B, verified: false });
    expect(await reopened.get('dave')).toEqual({ publicKey: KEY_A, verified: true });
  });

  it('reports a damaged file and keeps it aside', async () => {
    await (await contacts()).pin('bob', KEY_A);
    await writeFile(join(folder.dir, CONTACTS_FILE), '{}');
    const error = await contacts().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnreadableError);
    expect(await readFile((error as StoreUnreadableError).keptAt, 'utf8')).toBe('{}');
    expect(await (await contacts()).get('bob')).toBeNull();
  });
});

describe('the call history in main', () => {
  it('keeps calls across runs, sealed at rest', async () => {
    await (await history()).record(call);
    expect((await history()).list()).toEqual([call]);
    const file = await readFile(join(folder.dir, HISTORY_FILE), 'utf8');
    expect(file).not.toContain('bob');
  });

  it('reports a damaged file, keeps it aside, and starts afresh', async () => {
    await (await history()).record(call);
    await writeFile(join(folder.dir, HISTORY_FILE), 'not json');
    const error = await history().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnreadableError);
    expect(await readFile((error as StoreUnreadableError).keptAt, 'utf8')).toBe('not json');
    expect((await history()).list()).toEqual([]);
  });
});
