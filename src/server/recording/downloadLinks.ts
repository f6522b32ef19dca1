// Downloading recordings over HTTP. A participant asks for a link over the authenticated
// WebSocket (`recording.link`) and gets `/api/recordings/<id>/<file>?token=…`: the token is 32
// random bytes, names that one file of that one recording for that one account, and expires after
// a minute. Without a valid token the answer is 403; a file the recording does not have is 404.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { RecordingStore } from './recordingStore';
import type { RecordingFile, RecordingId } from '../../shared/protocol';

const DOWNLOAD_PATH_PREFIX = '/api/recordings/';
const DEFAULT_TTL_MS = 60_000;
/** Live links one account may hold; asking for more retires its oldest. */
const MAX_LINKS_PER_ACCOUNT = 20;

interface Grant {
  readonly publicKey: string;
  readonly recordingId: RecordingId;
  readonly file: RecordingFile;
  readonly expiresAt: number;
}

const CONTENT_TYPES: Record<RecordingFile, string> = {
  'mixed.wav': 'audio/wav',
  'caller.wav': 'audio/wav',
  'callee.wav': 'audio/wav',
  'transcript.txt': 'text/plain; charset=utf-8',
  'transcript.json': 'application/json',
};

const HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; sandbox",
};

export class DownloadLinks {
  private readonly grants = new Map<string, Grant>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<RecordingStore, 'getFor' | 'fileFor'>,
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A link to one file of a recording the account took part in; null if it did not, or there is no such file. */
  issue(publicKey: string, recordingId: RecordingId, file: RecordingFile): { path: string; expiresAt: number } | null {
    const recording = this.store.getFor(publicKey, recordingId);
    if (!recording || recording.status !== 'ready' || !recording.files.includes(file)) return null;
    this.prune(publicKey);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.grants.set(token, { publicKey, recordingId, file, expiresAt });
    return { path: `${DOWNLOAD_PATH_PREFIX}${recordingId}/${file}?token=${token}`, expiresAt };
  }

  /** Answers a request under /api/recordings/; false for any other path (the caller serves it). */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    // The path as sent: URL parsing would resolve dot segments and could carry a path out of here.
    const [rawPath = '/', query = ''] = (request.url ?? '/').split('?', 2);
    if (!rawPath.startsWith(DOWNLOAD_PATH_PREFIX)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', ...HEADERS }).end();
      return true;
    }
    const match = /^\/api\/recordings\/([A-Za-z0-9_-]{22})\/([a-z.]{1,20})$/.exec(rawPath);
    if (!match) return refuse(response, 404, 'not found');
    const [, recordingId, file] = match;
    const token = new URLSearchParams(query).get('token');
    const grant = token ? this.grants.get(token) : undefined;
    if (!grant || grant.expiresAt <= this.now()) {
      if (token && grant) this.grants.delete(token);
      return refuse(response, 403, 'this download link is not valid or has expired: ask the app for a new one');
    }
    if (grant.recordingId !== recordingId || grant.file !== file) return refuse(response, 403, 'this download link is for another file');
    const path = this.store.fileFor(grant.publicKey, grant.recordingId, grant.file);
    if (!path) return refuse(response, 404, 'this recording has no such file any more');
    fs.stat(path, (error, stat) => {
      if (error || !stat.isFile()) return void refuse(response, 404, 'this recording has no such file any more');
      response.writeHead(200, {
        'Content-Type': CONTENT_TYPES[grant.file],
        'Content-Length': stat.size,
        'Content-Disposition': `attachment; filename="call-${grant.recordingId.slice(0, 8)}-${grant.file}"`,
        ...HEADERS,
      });
      if (request.method === 'HEAD') return void response.end();
      // pipeline, not pipe: a read error (the file went away after stat) ends this response only.
      pipeline(fs.createReadStream(path), response, () => undefined);
    });
    return true;
  }

  /** Drops expired links, and the oldest of an account that holds too many. */
  private prune(publicKey: string): void {
    const now = this.now();
    const mine: string[] = [];
    for (const [token, grant] of this.grants) {
      if (grant.expiresAt <= now) this.grants.delete(token);
      else if (grant.publicKey === publicKey) mine.push(token);
    }
    for (const token of mine.slice(0, Math.max(0, mine.length - MAX_LINKS_PER_ACCOUNT + 1))) this.grants.delete(token);
  }
}

function refuse(response: ServerResponse, status: 403 | 404, message: string): true {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...HEADERS }).end(message);
  return true;
}
