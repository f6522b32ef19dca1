// The identity key pinned for each contact (trust on first use) and whether the user verified it
// by comparing security codes. Sealed at rest like the identity: whoever can rewrite this file
// could otherwise replace a contact's pinned key without a warning.
import { join } from 'node:path';
import { z } from 'zod';
import type { TrustStore } from '../shared/e2ee/callSecurity';
import { Handle, PublicKey } from '../shared/protocol';
import { readSealedFile, writeSealedFile, type SealedFileOptions, type SecretProtection } from './sealedFile';
import { SerialQueue } from './serialQueue';

export const CONTACTS_FILE = 'contacts.json';

const PinnedKey = z.object({ publicKey: PublicKey, verified: z.boolean() });
type PinnedKey = z.infer<typeof PinnedKey>;

const StoredContacts = z.object({ contacts: z.record(Handle, PinnedKey) });
type StoredContacts = z.infer<typeof StoredContacts>;

export interface ContactTrustStoreOptions {
  /** The app's user-data folder. */
  dir: string;
  protection: SecretProtection;
  now?: () => Date;
}

export class ContactTrustStore implements TrustStore {
  private readonly writes = new SerialQueue();

  private constructor(
    private readonly file: SealedFileOptions<StoredContacts>,
    private readonly contacts: Map<Handle, PinnedKey>,
  ) {}

  /**
   * Opens the pinned keys (none on first run). Throws StoreUnreadableError (file kept aside) or
   * SecretStoreLockedError (file untouched) when the stored pins cannot be used.
   */
  static async open(options: ContactTrustStoreOptions): Promise<ContactTrustStore> {
    const file: SealedFileOptions<StoredContacts> = {
      path: join(options.dir, CONTACTS_FILE),
      what: 'The contacts file',
      schema: StoredContacts,
      protection: options.protection,
      ...(options.now ? { now: options.now } : {}),
    };
    const stored = await readSealedFile(file);
    return new ContactTrustStore(file, new Map(Object.entries(stored?.contacts ?? {})));
  }

  async get(handle: string): Promise<PinnedKey | null> {
    const pinned = this.contacts.get(Handle.parse(handle));
    return pinned ? { ...pinned } : null;
  }

  /** Pins `publicKey` for `handle`. Re-pinning the same key keeps its verification; a new key starts unverified. */
  async pin(handle: string, publicKey: string): Promise<void> {
    const checkedHandle = Handle.parse(handle);
    const checkedKey = PublicKey.parse(publicKey);
    return this.save(checkedHandle, (previous) => ({
      publicKey: checkedKey,
      verified: previous?.publicKey === checkedKey && previous.verified,
    }));
  }

  /** Pins `publicKey` for `handle` as verified: the users compared security codes for this key. */
  async markVerified(handle: string, publicKey: string): Promise<void> {
    const checkedHandle = Handle.parse(handle);
    const checkedKey = PublicKey.parse(publicKey);
    return this.save(checkedHandle, () => ({ publicKey: checkedKey, verified: true }));
  }

  private save(handle: Handle, change: (previous: PinnedKey | undefined) => PinnedKey): Promise<void> {
    return this.writes.run(async () => {
      const entry = change(this.contacts.get(handle));
      const next = new Map(this.contacts).set(handle, entry);
      await writeSealedFile(this.file, { contacts: Object.fromEntries(next) });
      this.contacts.set(handle, entry);
    });
  }
}
