// The contact book (pinned keys, saved contacts) and the call history, each in a sealed file in
// the user-data folder — encrypted at rest like the identity: whoever could rewrite the contacts
// file could replace a pinned key without a warning, and the history is private.
import { join } from 'node:path';
import { CallHistory, StoredCallHistory } from '../shared/contacts/callHistory';
import { ContactBook, StoredContactBook } from '../shared/contacts/contactBook';
import type { RecordStore } from '../shared/contacts/recordStore';
import { readSealedFile, writeSealedFile, type SealedFileOptions, type SecretProtection } from './sealedFile';

export const CONTACTS_FILE = 'contacts.json';
export const HISTORY_FILE = 'history.json';

export interface ContactStoreOptions {
  /** The app's user-data folder. */
  dir: string;
  protection: SecretProtection;
  now?: () => Date;
}

function sealedRecord<T>(options: SealedFileOptions<T>): RecordStore<T> {
  return { read: () => readSealedFile(options), write: (value) => writeSealedFile(options, value) };
}

/**
 * Opens the contact book (empty on first run). Throws StoreUnreadableError (file kept aside) or
 * SecretStoreLockedError (file untouched) when it cannot be used.
 */
export function openContactBook(options: ContactStoreOptions): Promise<ContactBook> {
  return ContactBook.open(
    sealedRecord({
      path: join(options.dir, CONTACTS_FILE),
      what: 'The contacts file',
      schema: StoredContactBook,
      protection: options.protection,
      ...(options.now ? { now: options.now } : {}),
    }),
  );
}

/** Opens the call history (empty on first run); fails like `openContactBook`. */
export function openCallHistory(options: ContactStoreOptions): Promise<CallHistory> {
  return CallHistory.open(
    sealedRecord({
      path: join(options.dir, HISTORY_FILE),
      what: 'The call history file',
      schema: StoredCallHistory,
      protection: options.protection,
      ...(options.now ? { now: options.now } : {}),
    }),
  );
}
