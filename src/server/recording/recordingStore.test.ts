import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingStore } from './recordingStore';

const alice = { handle: 'alice', publicKey: 'A'.repeat(43) };
const bob = { handle: 'bob', publicKey: 'B'.repeat(43) };
const carol = { handle: 'carol', publicKey: 'C'.repeat(43) };
const CALL = 'call000000000000000001';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'softphone-recordings-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('RecordingStore', () => {
  it('lists and opens a recording for its two participants only, newest first', () => {
    const store = new RecordingStore(dataDir);
    const older = RecordingStore.newId();
    const newer = RecordingStore.newId();
    store.create(older, CALL, { caller: alice, callee: bob }, 1000);
    store.create(newer, CALL, { caller: bob, callee: carol }, 2000);
    store.complete(older, { durationMs: 1500, files: ['mixed.wav'], problem: null });

    expect(store.listFor(bob.publicKey).map((recording) => recording.id)).toEqual([newer, older]);
    expect(store.listFor(alice.publicKey)).toEqual([
      {
        id: older,
        callId: CALL,
        createdAt: 1000,
        durationMs: 1500,
        participants: { caller: 'alice', callee: 'bob' },
        status: 'ready',
        problem: null,
        files: ['mixed.wav'],
      },
    ]);
    expect(store.getFor(carol.publicKey, older)).toBeNull();
    expect(store.fileFor(alice.publicKey, older, 'mixed.wav')).toBe(path.join(dataDir, 'recordings', older, 'mixed.wav'));
    expect(store.fileFor(carol.publicKey, older, 'mixed.wav')).toBeNull();
    expect(store.fileFor(alice.publicKey, older, 'caller.wav')).toBeNull();
    expect(store.fileFor(alice.publicKey, older, '../recordings.db')).toBeNull();
    store.close();
  });

  it('marks a failed recording with the problem and empties its folder', () => {
    const store = new RecordingStore(dataDir);
    const id = RecordingStore.newId();
    store.create(id, CALL, { caller: alice, callee: bob }, 1000);
    store.fail(id, 'the server’s disk is full');
    expect(store.getFor(bob.publicKey, id)).toMatchObject({ status: 'failed', problem: 'the server’s disk is full', files: [] });
    expect(existsSync(store.dirOf(id))).toBe(false);
    store.close();
  });

  it('marks recordings that were being processed when the server stopped as failed', () => {
    const store = new RecordingStore(dataDir);
    const id = RecordingStore.newId();
    store.create(id, CALL, { caller: alice, callee: bob }, 1000);
    store.close();
    const reopened = new RecordingStore(dataDir);
    expect(reopened.getFor(alice.publicKey, id)).toMatchObject({ status: 'failed', problem: 'the server stopped while the recording was being processed' });
    reopened.close();
  });
});
