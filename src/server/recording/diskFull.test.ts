// A recording stopped on a full disk: the index cannot even list it. What Janus wrote is deleted
// anyway, the failure is logged, and users are told plainly — not the database's own message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log';
import { RecordingAudio } from './recordingAudio';
import { RecordingPipeline, takeFileName } from './recordingPipeline';
import { RecordingStore } from './recordingStore';
import { PocketsphinxTranscriber } from './transcriber';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softphone-disk-full-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a full disk while a recording is processed', () => {
  it('deletes the raw files, logs it, and says "the server’s disk is full"', async () => {
    const janusDir = path.join(dir, 'janus');
    fs.mkdirSync(janusDir);
    const store = new RecordingStore(path.join(dir, 'data'));
    // SQLite's own limit on the file's size: the next write fails with SQLITE_FULL, as on a full disk.
    const db = (store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 2}`);
    const parties = { caller: { handle: 'alice', publicKey: 'A'.repeat(43) }, callee: { handle: 'bob', publicKey: 'B'.repeat(43) } };
    const fill = () => store.create(RecordingStore.newId(), 'C'.repeat(22), parties, Date.now());
    for (let i = 0; i < 1000; i++) {
      try {
        fill();
      } catch {
        break;
      }
    }
    expect(fill).toThrow(/full/);
    const errors: string[] = [];
    const log: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (msg) => errors.push(msg) };
    const pipeline = new RecordingPipeline({
      janusRecordingsDir: janusDir,
      store,
      audio: new RecordingAudio(),
      transcriber: new PocketsphinxTranscriber(),
      log,
    });
    const recordingId = RecordingStore.newId();
    for (const party of ['caller', 'callee'] as const) fs.writeFileSync(path.join(janusDir, `${takeFileName(recordingId, party)}-audio-0.mjr`), 'MJR00002');
    const take = {
      recordingId,
      callId: 'C'.repeat(22),
      parties,
      startedAt: Date.now(),
      durationMs: 5000,
      recordingSpans: [{ startMs: 0, endMs: 5000 }],
      transcriptionSpans: [],
    };

    await expect(pipeline.process(take)).rejects.toThrow(/^the server’s disk is full$/);
    expect(fs.readdirSync(janusDir)).toEqual([]);
    expect(errors).toContain('recording processing failed');
    store.close();
  });
});
