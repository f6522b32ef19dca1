import { describe, expect, it } from 'vitest';
import { ContactBook, type StoredContactBook } from './contactBook';
import type { RecordStore } from './recordStore';

const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const KEY_B = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';

function memory(initial: unknown = null): RecordStore<StoredContactBook> & { stored: unknown } {
  const store = {
    stored: initial,
    read: async () => store.stored,
    write: async (value: StoredContactBook) => {
      store.stored = JSON.parse(JSON.stringify(value));
    },
  };
  return store;
}

describe('ContactBook', () => {
  it('pins on first use and lists only saved contacts, favourites first', async () => {
    const store = memory();
    const book = await ContactBook.open(store);
    await book.pin('zed', KEY_A);
    await book.add('bob', KEY_A);
    await book.add('amy', KEY_B);
    await book.setFavourite('bob', true);
    expect(book.list().map((c) => c.handle)).toEqual(['bob', 'amy']);
    expect((await ContactBook.open(store)).list().map((c) => [c.handle, c.favourite])).toEqual([
      ['bob', true],
      ['amy', false],
    ]);
  });

  it('reads the older format (pins only) with defaults', async () => {
    const book = await ContactBook.open(memory({ contacts: { bob: { publicKey: KEY_A, verified: true } } }));
    expect(await book.get('bob')).toEqual({ publicKey: KEY_A, verified: true });
    expect(book.list()).toEqual([]);
  });

  it('never pins a different key silently: it is a warning until the user accepts it', async () => {
    const book = await ContactBook.open(memory());
    await book.add('bob', KEY_A);
    await book.markVerified('bob', KEY_A);
    const added = await book.add('bob', KEY_B);
    expect(added).toMatchObject({ publicKey: KEY_A, verified: true, keyChanged: true });
    expect(await book.get('bob')).toEqual({ publicKey: KEY_A, verified: true });

    const accepted = await book.acceptChangedKey('bob');
    expect(accepted).toMatchObject({ publicKey: KEY_B, verified: false, keyChanged: false });
  });

  it('records a changed key seen in a call, and clears it when that key is verified', async () => {
    const book = await ContactBook.open(memory());
    await book.add('bob', KEY_A);
    await book.sawChangedKey('bob', KEY_B);
    expect(book.list()[0]?.keyChanged).toBe(true);
    await book.markVerified('bob', KEY_B);
    expect(book.list()[0]).toMatchObject({ publicKey: KEY_B, verified: true, keyChanged: false });
  });

  it('removing a contact keeps its pinned key', async () => {
    const book = await ContactBook.open(memory());
    await book.add('bob', KEY_A);
    await book.setFavourite('bob', true);
    await book.remove('bob');
    expect(book.list()).toEqual([]);
    expect(await book.get('bob')).toEqual({ publicKey: KEY_A, verified: false });
    expect((await book.add('bob', KEY_A)).favourite).toBe(false);
  });

  it('refuses bad handles and keys, and changes to people it does not know', async () => {
    const book = await ContactBook.open(memory());
    await expect(book.add('Bob!', KEY_A)).rejects.toThrow();
    await expect(book.add('bob', 'not-a-key')).rejects.toThrow();
    await expect(book.setFavourite('nobody', true)).rejects.toThrow(/not a contact/);
    expect(book.list()).toEqual([]);
  });

  it('refuses a stored book that is not valid', async () => {
    await expect(ContactBook.open(memory({ contacts: { bob: { publicKey: 'x' } } }))).rejects.toThrow();
  });
});
