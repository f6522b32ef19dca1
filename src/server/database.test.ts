// The data folder's databases: a fresh folder starts empty; an initialised one whose database comes
// back empty, truncated, corrupt or of another schema refuses to start with a clear error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from './accounts';
import { DataDirError, markerPath } from './database';
import { RecordingStore } from './recording/recordingStore';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softphone-data-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const KEY = 'A'.repeat(43);

function initialisedAccounts(): string {
  const file = path.join(dir, 'accounts.db');
  const store = new AccountStore(file);
  store.register('alice', KEY);
  store.close();
  return file;
}

describe('the accounts database', () => {
  it('is made in a fresh folder, marked, versioned, and opens again with its accounts', () => {
    const file = initialisedAccounts();
    expect(fs.existsSync(markerPath(file))).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
    const again = new AccountStore(file);
    expect(again.byHandle('alice')).toEqual({ handle: 'alice', publicKey: KEY });
    again.close();
  });

  it('keeps its schema in the file itself, so a crash right after start leaves no 0-byte database', () => {
    const file = path.join(dir, 'accounts.db');
    const store = new AccountStore(file);
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    store.close();
  });

  it.each([
    ['empty (0 bytes)', (file: string) => fs.truncateSync(file, 0), /is empty \(0 bytes\)/],
    ['truncated', (file: string) => fs.truncateSync(file, 1000), /damaged|lost its tables/],
    ['corrupt', (file: string) => fs.writeFileSync(file, Buffer.alloc(8192, 0x5a)), /damaged/],
    ['missing', (file: string) => fs.rmSync(file), /is missing/],
    [
      'of a newer schema',
      (file: string) => {
        const db = new Database(file);
        db.pragma('user_version = 7');
        db.close();
      },
      /schema version 7, newer than this server's 1/,
    ],
  ])('refuses to start when it comes back %s', (_what, damage, message) => {
    const file = initialisedAccounts();
    for (const extra of ['-wal', '-shm']) fs.rmSync(file + extra, { force: true });
    damage(file);
    let error: unknown;
    try {
      new AccountStore(file).close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataDirError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(file);
  });

  it('adopts a database made before schema versions, dropping registration times', () => {
    const file = path.join(dir, 'accounts.db');
    const old = new Database(file);
    old.exec('CREATE TABLE accounts (public_key TEXT PRIMARY KEY, handle TEXT NOT NULL UNIQUE, created_at INTEGER) STRICT');
    old.prepare('INSERT INTO accounts VALUES (?, ?, 1)').run(KEY, 'alice');
    old.close();
    const store = new AccountStore(file);
    expect(store.byHandle('alice')).toEqual({ handle: 'alice', publicKey: KEY });
    store.close();
    expect(fs.existsSync(markerPath(file))).toBe(true);
  });
});

describe('the recordings index', () => {
  it('refuses to start when it comes back empty in an initialised folder', () => {
    new RecordingStore(dir).close();
    fs.truncateSync(path.join(dir, 'recordings.db'), 0);
    expect(() => new RecordingStore(dir)).toThrow(/The recordings index .*recordings\.db is empty \(0 bytes\)/);
  });
});
