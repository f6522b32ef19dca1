// Fetching recordings over HTTP on loopback: only with a link issued to a participant, only the
// file it names, only until it expires.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadLinks } from './downloadLinks';
import { RecordingStore } from './recordingStore';

const alice = { handle: 'alice', publicKey: 'A'.repeat(43) };
const bob = { handle: 'bob', publicKey: 'B'.repeat(43) };
const carol = { handle: 'carol', publicKey: 'C'.repeat(43) };
const CALL = 'call000000000000000001';

let dataDir: string;
let store: RecordingStore;
let clock: number;
let links: DownloadLinks;
let server: http.Server;
let base: string;
let recordingId: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'softphone-downloads-'));
  store = new RecordingStore(dataDir);
  clock = 1_000_000;
  links = new DownloadLinks(store, { now: () => clock });
  recordingId = RecordingStore.newId();
  store.create(recordingId, CALL, { caller: alice, callee: bob }, clock);
  await writeFile(path.join(store.dirOf(recordingId), 'mixed.wav'), 'RIFF-audio');
  await writeFile(path.join(store.dirOf(recordingId), 'transcript.txt'), 'alice: one two three\n');
  store.complete(recordingId, { durationMs: 3000, files: ['mixed.wav', 'transcript.txt'], problem: null });
  await writeFile(path.join(dataDir, 'accounts.db'), 'not for download');
  server = http.createServer((request, response) => {
    if (!links.handle(request, response)) response.writeHead(418).end('not mine');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.close();
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function get(url: string, method = 'GET'): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`${base}${url}`, { method });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** A request with the path exactly as written (fetch would resolve its dot segments). */
function rawStatus(rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/`, { path: rawPath }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('DownloadLinks', () => {
  it('serves a participant’s file with the link issued to them, as an attachment that is not cached', async () => {
    for (const who of [alice, bob]) {
      const link = links.issue(who.publicKey, recordingId, 'transcript.txt')!;
      expect(link.expiresAt).toBe(clock + 60_000);
      const response = await get(link.path);
      expect(response.status).toBe(200);
      expect(response.body).toBe('alice: one two three\n');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="call-.{8}-transcript\.txt"$/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
  });

  it('issues no link to someone who was not in the call, or for a file the recording does not have', () => {
    expect(links.issue(carol.publicKey, recordingId, 'mixed.wav')).toBeNull();
    expect(links.issue(carol.publicKey, recordingId, 'transcript.txt')).toBeNull();
    expect(links.issue(alice.publicKey, recordingId, 'caller.wav')).toBeNull();
    expect(links.issue(alice.publicKey, RecordingStore.newId(), 'mixed.wav')).toBeNull();
  });

  it('answers 403 without a valid token, for another file than the token names, and once the link has expired', async () => {
    const url = `/api/recordings/${recordingId}/mixed.wav`;
    expect((await get(url)).status).toBe(403);
    expect((await get(`${url}?token=${'x'.repeat(43)}`)).status).toBe(403);
    const transcriptLink = links.issue(alice.publicKey, recordingId, 'transcript.txt')!;
    const token = new URL(transcriptLink.path, base).searchParams.get('token');
    expect((await get(`${url}?token=${token}`)).status).toBe(403);

    const audio = links.issue(bob.publicKey, recordingId, 'mixed.wav')!;
    expect((await get(audio.path, 'HEAD')).status).toBe(200);
    clock += 60_000;
    const expired = await get(audio.path);
    expect(expired.status).toBe(403);
    expect(expired.body).toBe('this download link is not valid or has expired: ask the app for a new one');
  });

  it('answers 404 for paths that name no recording file, and leaves other paths to the web server', async () => {
    const link = links.issue(alice.publicKey, recordingId, 'mixed.wav')!;
    const token = new URL(link.path, base).searchParams.get('token');
    for (const url of [
      `/api/recordings/${recordingId}/../../accounts.db?token=${token}`,
      `/api/recordings/${recordingId}/%2e%2e%2faccounts.db?token=${token}`,
      '/api/recordings/x',
    ]) {
      expect(await rawStatus(url)).toBe(404);
    }
    expect((await get('/index.html')).status).toBe(418);
    expect((await get(link.path, 'POST')).status).toBe(405);
  });

  it('keeps at most 20 live links per account, retiring the oldest', async () => {
    const first = links.issue(alice.publicKey, recordingId, 'mixed.wav')!;
    for (let i = 0; i < 20; i++) links.issue(alice.publicKey, recordingId, 'mixed.wav');
    expect((await get(first.path)).status).toBe(403);
  });
});
