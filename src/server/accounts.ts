// Accounts: an Ed25519 identity public key and a unique handle, in an embedded SQLite database.
// The server stores nothing else about a user: no call history, no contacts. The one exception is
// a recording people choose to make of a standard call, indexed with its two participants
// (recording/recordingStore.ts).
import type Database from 'better-sqlite3';
import { openDatabase, type DatabaseSchema } from './database';

export interface Account {
  handle: string;
  publicKey: string;
}

export type RegisterResult = { ok: true; account: Account } | { ok: false; reason: 'handle-taken' | 'key-registered' };

/** The accounts database's schema; each migration is one step, never edited once released. */
export const ACCOUNTS_SCHEMA: DatabaseSchema = {
  what: 'The accounts database',
  tables: ['accounts'],
  migrations: [
    // 0 → 1: the accounts table (a database made before schema versions has it already, perhaps
    // with the registration times the server no longer keeps: they are dropped).
    (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS accounts (
          public_key TEXT PRIMARY KEY,
          handle TEXT NOT NULL UNIQUE
        ) STRICT`);
      const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')").all();
      if (columns.some((column) => column.name === 'created_at')) db.exec('ALTER TABLE accounts DROP COLUMN created_at');
    },
  ],
};

export class AccountStore {
  private readonly db: Database.Database;
  private readonly byKeyStatement: Database.Statement<[string], Account>;
  private readonly byHandleStatement: Database.Statement<[string], Account>;
  private readonly insertStatement: Database.Statement<[string, string]>;

  /**
   * Opens (creating if needed) the database; `:memory:` keeps it in memory for tests. Throws
   * DataDirError when an initialised data folder's database is missing, empty, damaged or newer.
   */
  constructor(file: string) {
    this.db = openDatabase(file, ACCOUNTS_SCHEMA);
    const columns = 'handle, public_key AS publicKey';
    this.byKeyStatement = this.db.prepare(`SELECT ${columns} FROM accounts WHERE public_key = ?`);
    this.byHandleStatement = this.db.prepare(`SELECT ${columns} FROM accounts WHERE handle = ?`);
    this.insertStatement = this.db.prepare('INSERT INTO accounts (handle, public_key) VALUES (?, ?)');
  }

  byPublicKey(publicKey: string): Account | null {
    return this.byKeyStatement.get(publicKey) ?? null;
  }

  byHandle(handle: string): Account | null {
    return this.byHandleStatement.get(handle) ?? null;
  }

  register(handle: string, publicKey: string): RegisterResult {
    if (this.byPublicKey(publicKey)) return { ok: false, reason: 'key-registered' };
    if (this.byHandle(handle)) return { ok: false, reason: 'handle-taken' };
    this.insertStatement.run(handle, publicKey);
    return { ok: true, account: { handle, publicKey } };
  }

  close(): void {
    this.db.close();
  }
}
