// The server's recordings: one folder per recording under `<data dir>/recordings/`, and an index in
// SQLite (`recordings.db`) with who took part in each, by account key and handle. Only those two
// accounts can list a recording or reach its files; everything here is asked for on behalf of one
// account, so there is no call that lists or opens a recording for anyone else.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Account } from '../accounts';
import type { Party } from '../callMachine';
import { openDatabase, type DatabaseSchema } from '../database';
import { MAX_LISTED_RECORDINGS, RecordingFile, type CallId, type RecordingId, type RecordingSummary } from '../../shared/protocol';

interface RecordingRow {
  id: string;
  callId: string;
  createdAt: number;
  durationMs: number;
  status: RecordingSummary['status'];
  problem: string | null;
  files: string;
  caller: string;
  callee: string;
}

/** The recordings index's schema; each migration is one step, never edited once released. */
export const RECORDINGS_SCHEMA: DatabaseSchema = {
  what: 'The recordings index',
  tables: ['recordings', 'recording_participants'],
  migrations: [
    // 0 → 1: recordings and who took part in each (a database made before schema versions has them).
    (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS recordings (
          id TEXT PRIMARY KEY,
          call_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL DEFAULT 0,
          status TEXT NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
          problem TEXT,
          files TEXT NOT NULL DEFAULT '[]'
        ) STRICT;
        CREATE TABLE IF NOT EXISTS recording_participants (
          recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
          role TEXT NOT NULL CHECK (role IN ('caller', 'callee')),
          handle TEXT NOT NULL,
          public_key TEXT NOT NULL,
          PRIMARY KEY (recording_id, role)
        ) STRICT;
        CREATE INDEX IF NOT EXISTS recording_participants_by_key ON recording_participants (public_key);
      `),
  ],
};

export class RecordingStore {
  private readonly db: Database.Database;
  readonly folder: string;
  private readonly statements: {
    insert: Database.Statement<[string, string, number]>;
    insertParticipant: Database.Statement<[string, Party, string, string]>;
    complete: Database.Statement<[number, string | null, string, string]>;
    fail: Database.Statement<[string, string]>;
    listFor: Database.Statement<[string, number], RecordingRow>;
    getFor: Database.Statement<[string, string], RecordingRow>;
  };

  /**
   * Opens (creating if needed) the index in `dataDir`; recordings left half-processed are marked
   * failed. Throws DataDirError when the index of an initialised data folder is missing or damaged.
   */
  constructor(dataDir: string) {
    this.folder = path.join(dataDir, 'recordings');
    fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    this.db = openDatabase(path.join(dataDir, 'recordings.db'), RECORDINGS_SCHEMA);
    this.db.pragma('foreign_keys = ON');
    this.db
      .prepare("UPDATE recordings SET status = 'failed', problem = 'the server stopped while the recording was being processed' WHERE status = 'processing'")
      .run();
    const select = `
      SELECT r.id, r.call_id AS callId, r.created_at AS createdAt, r.duration_ms AS durationMs, r.status, r.problem, r.files,
        (SELECT handle FROM recording_participants WHERE recording_id = r.id AND role = 'caller') AS caller,
        (SELECT handle FROM recording_participants WHERE recording_id = r.id AND role = 'callee') AS callee
      FROM recordings r
      JOIN recording_participants me ON me.recording_id = r.id AND me.public_key = ?`;
    this.statements = {
      insert: this.db.prepare("INSERT INTO recordings (id, call_id, created_at, status) VALUES (?, ?, ?, 'processing')"),
      insertParticipant: this.db.prepare('INSERT INTO recording_participants (recording_id, role, handle, public_key) VALUES (?, ?, ?, ?)'),
      complete: this.db.prepare("UPDATE recordings SET status = 'ready', duration_ms = ?, problem = ?, files = ? WHERE id = ?"),
      fail: this.db.prepare("UPDATE recordings SET status = 'failed', problem = ? WHERE id = ?"),
      listFor: this.db.prepare(`${select} ORDER BY r.created_at DESC, r.id LIMIT ?`),
      getFor: this.db.prepare(`${select} WHERE r.id = ?`),
    };
  }

  /** A fresh recording id. */
  static newId(): RecordingId {
    return randomBytes(16).toString('base64url');
  }

  /** Lists recording `id` of `callId` between `parties` as processing, until completed or failed. */
  create(id: RecordingId, callId: CallId, parties: Record<Party, Account>, createdAt: number): void {
    this.db.transaction(() => {
      this.statements.insert.run(id, callId, createdAt);
      for (const role of ['caller', 'callee'] as const) {
        this.statements.insertParticipant.run(id, role, parties[role].handle, parties[role].publicKey);
      }
    })();
    fs.mkdirSync(this.dirOf(id), { mode: 0o700 });
  }

  /** The folder of a recording's files. */
  dirOf(id: RecordingId): string {
    return path.join(this.folder, id);
  }

  /** The recording is processed: these files are in its folder. `problem` notes a part that failed. */
  complete(id: RecordingId, result: { durationMs: number; files: readonly RecordingFile[]; problem: string | null }): void {
    this.statements.complete.run(result.durationMs, result.problem, JSON.stringify(result.files), id);
  }

  /** Processing failed: the recording stays listed with the problem, and its folder is emptied. */
  fail(id: RecordingId, problem: string): void {
    this.statements.fail.run(problem.slice(0, 500), id);
    fs.rmSync(this.dirOf(id), { recursive: true, force: true });
  }

  /** The newest recordings of calls the account with this key took part in. */
  listFor(publicKey: string): RecordingSummary[] {
    return this.statements.listFor.all(publicKey, MAX_LISTED_RECORDINGS).map(toSummary);
  }

  /** One recording, if the account with this key took part in it. */
  getFor(publicKey: string, id: string): RecordingSummary | null {
    const row = this.statements.getFor.get(publicKey, id);
    return row ? toSummary(row) : null;
  }

  /** The path of a file of a recording the account took part in, if the recording has that file. */
  fileFor(publicKey: string, id: string, file: string): string | null {
    const recording = this.getFor(publicKey, id);
    const name = RecordingFile.safeParse(file);
    if (!recording || !name.success || !recording.files.includes(name.data)) return null;
    return path.join(this.dirOf(recording.id), name.data);
  }

  close(): void {
    this.db.close();
  }
}

function toSummary(row: RecordingRow): RecordingSummary {
  const files = RecordingFile.array().safeParse(JSON.parse(row.files));
  return {
    id: row.id,
    callId: row.callId,
    createdAt: row.createdAt,
    durationMs: row.durationMs,
    participants: { caller: row.caller, callee: row.callee },
    status: row.status,
    problem: row.problem,
    files: files.success ? files.data : [],
  };
}
