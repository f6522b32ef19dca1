import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { AccountStore } from './accounts';

const keyA = 'A'.repeat(43);
const keyB = 'B'.repeat(43);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('AccountStore', () => {
  it('registers a handle for a key and finds it both ways', () => {
    const store = new AccountStore(':memory:');
    expect(store.register('alice', keyA)).toEqual({ ok: true, account: { handle: 'alice', publicKey: keyA } });
    expect(store.byHandle('alice')).toEqual({ handle: 'alice', publicKey: keyA });
    expect(store.byPublicKey(keyA)?.handle).toBe('alice');
    expect(store.byHandle('bob')).toBeNull();
  });

  it('refuses a taken handle and a second handle for the same key', () => {
    const store = new AccountStore(':memory:');
    store.register('alice', keyA);
    expect(store.register('alice', keyB)).toEqual({ ok: false, reason: 'handle-taken' });
    expect(store.register('alice2', keyA)).toEqual({ ok: false, reason: 'key-registered' });
  });

  it('keeps accounts across restarts in its data folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softphone-accounts-'));
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'accounts.db');
    const first = new AccountStore(file);
    first.register('alice', keyA);
    first.close();
    const second = new AccountStore(file);
    expect(second.byHandle('alice')?.publicKey).toBe(keyA);
    second.close();
  });

  it('stores a key and a handle only, and drops the registration times an older database kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softphone-accounts-'));
    dirs.push(dir);
    const file = path.join(dir, 'accounts.db');
    const old = new Database(file);
    old.exec('CREATE TABLE accounts (public_key TEXT PRIMARY KEY, handle TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL) STRICT');
    old.prepare('INSERT INTO accounts VALUES (?, ?, ?)').run(keyA, 'alice', 1_700_000_000_000);
    old.close();
    const store = new AccountStore(file);
    expect(store.register('bob', keyB).ok).toBe(true);
    expect(store.byHandle('alice')?.publicKey).toBe(keyA);
    store.close();
    const check = new Database(file, { readonly: true });
    const columns = check
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')")
      .all()
      .map((column) => column.name);
    check.close();
    expect(columns).toEqual(['public_key', 'handle']);
  });
});
