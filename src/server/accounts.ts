// Accounts: an Ed25519 identity public key and a unique handle, in an embedded SQLite database.
// The server stores nothing else about a user: no call history, no contacts. The one exception is
// a recording people choose to make of a standard call, indexed with its two participants
// (recording/recordingStore.ts).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface Account {
  handle: string;
  publicKey: string;
}

export type RegisterResult = { ok: true; account: Account } | { ok: false; reason: 'handle-taken' | 'key-registered' };

export class AccountStore {
  private readonly db: Database.Database;
  private readonly byKeyStatement: Database.Statement<[string], Account>;
  private readonly byHandleStatement: Database.Statement<[string], Account>;
  private readonly insertStatement: Database.Statement<[string, string]>;

  /** Opens (creating if needed) the database; `:memory:` keeps it in memory for tests. */
  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS accounts (
        public_key TEXT PRIMARY KEY,
        handle TEXT NOT NULL UNIQUE
      ) STRICT`);
    // Databases made before the server stopped keeping registration times: drop the column, and
    // the times with it.
    const hasCreatedAt = this.db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'accounts\')').all().some((column) => column.name === 'created_at');
    if (hasCreatedAt) this.db.exec('ALTER TABLE accounts DROP COLUMN created_at');
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
