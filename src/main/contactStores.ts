// The contact book (pinned keys, saved contacts) and the call history, each in a sealed file in
// the user-data folder — encrypted at rest like the identity: whoever could rewrite the contacts
// file could replace a pinned key without a warning, and the history is private.
import { CallHistory, StoredCallHistory } from '../shared/contacts/callHistory';
import { ContactBook, StoredContactBook } from '../shared/contacts/contactBook';
import type { RecordStore } from '../shared/contacts/recordStore';
import { readSealedFile, sealedFileIn, writeSealedFile, type SealedFileOptions, type StoreOptions } from './sealedFile';

export const CONTACTS_FILE = 'contacts.json';
export const HISTORY_FILE = 'history.json';

function sealedRecord<T>(options: SealedFileOptions<T>): RecordStore<T> {
  return { read: () => readSealedFile(options), write: (value) => writeSealedFile(options, value) };
}

/**
 * Opens the contact book (empty on first run). Throws StoreUnreadableError (file kept aside) or
 * SecretStoreLockedError (file untouched) when it cannot be used.
 */
export function openContactBook(options: StoreOptions): Promise<ContactBook> {
  return ContactBook.open(sealedRecord(sealedFileIn(options, { name: CONTACTS_FILE, what: 'The contacts file', schema: StoredContactBook })));
}

/** Opens the call history (empty on first run); fails like `openContactBook`. */
export function openCallHistory(options: StoreOptions): Promise<CallHistory> {
  return CallHistory.open(sealedRecord(sealedFileIn(options, { name: HISTORY_FILE, what: 'The call history file', schema: StoredCallHistory })));
}
