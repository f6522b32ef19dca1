// Where a host keeps one small record (contacts, call history): an encrypted file in Electron
// main, the browser's storage in the web host. `read` gives what was stored (unparsed) or null;
// a store that cannot be read throws after keeping the bad copy aside.
export interface RecordStore<T> {
  read(): Promise<unknown>;
  write(value: T): Promise<void>;
}
