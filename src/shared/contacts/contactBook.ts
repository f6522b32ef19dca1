// The user's contacts and the identity key pinned for each person they have called (trust on
// first use). One record per handle: the pinned key, whether the user verified it by comparing
// security codes, whether the person is in the contact list (and a favourite), and a different key
// seen since pinning — which the app shows as a warning until the user accepts it. Removing a
// contact keeps its pinned key, so an impostor cannot be trusted afresh by being forgotten.
import { z } from 'zod';
import type { RecordStore } from './recordStore';
import type { ContactView } from '../bridge';
import type { TrustStore } from '../e2ee/callSecurity';
import { fingerprint } from '../e2ee/securityCode';
import { Handle, PublicKey } from '../protocol';
import { SerialQueue } from '../serialQueue';

const ContactRecord = z.object({
  publicKey: PublicKey,
  verified: z.boolean(),
  /** In the user's contact list (rather than only pinned by a call). */
  saved: z.boolean().default(false),
  favourite: z.boolean().default(false),
  /** A different key seen for this handle since the pinned one. */
  changedKey: PublicKey.nullable().default(null),
});
type ContactRecord = z.infer<typeof ContactRecord>;

export const StoredContactBook = z.object({ contacts: z.record(Handle, ContactRecord) });
export type StoredContactBook = z.infer<typeof StoredContactBook>;

export class ContactBook implements TrustStore {
  private readonly writes = new SerialQueue();

  private constructor(
    private readonly store: RecordStore<StoredContactBook>,
    private contacts: Map<string, ContactRecord>,
  ) {}

  /** Opens the book; throws (from the store) when it cannot be read, or when what it holds is invalid. */
  static async open(store: RecordStore<StoredContactBook>): Promise<ContactBook> {
    const stored = await store.read();
    const book = stored === null ? { contacts: {} } : StoredContactBook.parse(stored);
    return new ContactBook(store, new Map(Object.entries(book.contacts)));
  }

  // ---- TrustStore (used by the call security engine) ----------------------------------------------

  async get(handle: string): Promise<{ publicKey: string; verified: boolean } | null> {
    const record = this.contacts.get(handle);
    return record ? { publicKey: record.publicKey, verified: record.verified } : null;
  }

  async pin(handle: string, publicKey: string): Promise<void> {
    await this.change(handle, (previous) => ({
      ...blank(publicKey),
      ...previous,
      publicKey,
      verified: previous?.publicKey === publicKey && previous.verified,
      changedKey: null,
    }));
  }

  async markVerified(handle: string, publicKey: string): Promise<void> {
    await this.change(handle, (previous) => ({ ...blank(publicKey), ...previous, publicKey, verified: true, changedKey: null }));
  }

  async sawChangedKey(handle: string, publicKey: string): Promise<void> {
    const record = this.contacts.get(handle);
    if (!record || record.publicKey === publicKey || record.changedKey === publicKey) return;
    await this.change(handle, () => ({ ...record, changedKey: publicKey }));
  }

  // ---- the contact list ---------------------------------------------------------------------------

  /** The saved contacts: favourites first, then by handle. */
  list(): ContactView[] {
    return [...this.contacts.entries()]
      .filter(([, record]) => record.saved)
      .map(([handle, record]) => view(handle, record))
      .sort((a, b) => Number(b.favourite) - Number(a.favourite) || a.handle.localeCompare(b.handle));
  }

  /**
   * Adds `handle` with the key the server gave for it. A first key is pinned; a key that differs
   * from the pinned one is kept as a changed key (a warning), never silently pinned.
   */
  async add(handle: string, publicKey: string): Promise<ContactView> {
    const record = await this.change(handle, (previous) =>
      previous
        ? { ...previous, saved: true, changedKey: previous.publicKey === publicKey ? previous.changedKey : publicKey }
        : { ...blank(publicKey), saved: true },
    );
    return view(handle, record);
  }

  async remove(handle: string): Promise<void> {
    if (!this.contacts.has(handle)) return;
    await this.change(handle, (previous) => ({ ...(previous as ContactRecord), saved: false, favourite: false }));
  }

  async setFavourite(handle: string, favourite: boolean): Promise<ContactView> {
    return view(handle, await this.change(handle, (previous) => ({ ...this.existing(handle, previous), favourite })));
  }

  /** The user accepts the changed key: it becomes the pinned key, unverified. */
  async acceptChangedKey(handle: string): Promise<ContactView> {
    return view(
      handle,
      await this.change(handle, (previous) => {
        const record = this.existing(handle, previous);
        return record.changedKey ? { ...record, publicKey: record.changedKey, verified: false, changedKey: null } : record;
      }),
    );
  }

  private existing(handle: string, record: ContactRecord | undefined): ContactRecord {
    if (!record) throw new Error(`${handle} is not a contact`);
    return record;
  }

  /** Applies one change and stores the book; changes are written one after another. */
  private change(handle: string, update: (previous: ContactRecord | undefined) => ContactRecord): Promise<ContactRecord> {
    const checked = Handle.parse(handle);
    return this.writes.run(async () => {
      const record = ContactRecord.parse(update(this.contacts.get(checked)));
      const next = new Map(this.contacts).set(checked, record);
      await this.store.write({ contacts: Object.fromEntries(next) });
      this.contacts = next;
      return record;
    });
  }
}

function blank(publicKey: string): ContactRecord {
  return { publicKey, verified: false, saved: false, favourite: false, changedKey: null };
}

function view(handle: string, record: ContactRecord): ContactView {
  return {
    handle,
    publicKey: record.publicKey,
    fingerprint: fingerprint(record.publicKey),
    verified: record.verified,
    favourite: record.favourite,
    keyChanged: record.changedKey !== null,
  };
}
