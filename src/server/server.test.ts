// The assembled server (startServer) in-process, with no Janus reachable: its HTTP entry points
// answer hostile requests without ending the process.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from './config';
import { DEFAULT_LIMITS } from './limits';
import { startServer, type RunningServer } from './server';
import { silentLog } from './testing/signalingFakes';

let dir: string;
let running: RunningServer | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softphone-server-test-'));
  fs.mkdirSync(path.join(dir, 'web'));
  fs.writeFileSync(path.join(dir, 'web', 'index.html'), '<!doctype html><title>softphone</title>');
});
afterEach(async () => {
  await running?.close();
  running = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

export function testConfig(dataDir: string, webRoot: string): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    webRoot,
    // Nothing listens there: the server starts and keeps retrying Janus in the background.
    janus: { url: 'ws://127.0.0.1:9/', apiSecret: 'unused-secret', adminKey: 'unused-admin-key' },
    ringTimeoutSeconds: 30,
    connectTimeoutSeconds: 30,
    reconnectGraceSeconds: 10,
    logLevel: 'error',
    limits: DEFAULT_LIMITS,
    serveSourceMaps: false,
    publicOrigins: [],
  };
}

/** Sends raw bytes and returns what came back before the server closed the connection (or 2 s). */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(2000, () => socket.destroy());
  });
}

describe('HTTP entry points', () => {
  it('refuses an upgrade to a path that is not a URL, and keeps serving', async () => {
    running = await startServer(testConfig(path.join(dir, 'data'), path.join(dir, 'web')), silentLog);
    const upgrade = (target: string) =>
      `GET ${target} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    for (const target of ['//', '//[', '/ws/../x']) expect(await rawRequest(running.port, upgrade(target))).toBe('');
    const page = await fetch(running.url);
    expect(page.status).toBe(200);
  });

  it('ends only the response of a file that fails while it is read', async () => {
    // Linux: /proc/self/mem stats as a regular file and fails to read at offset 0.
    fs.symlinkSync('/proc/self/mem', path.join(dir, 'web', 'broken.js'));
    running = await startServer(testConfig(path.join(dir, 'data'), path.join(dir, 'web')), silentLog);
    await fetch(new URL('broken.js', running.url))
      .then((response) => response.arrayBuffer())
      .catch(() => null);
    expect((await fetch(running.url)).status).toBe(200);
  });

  it('answers /healthz with 503 while Janus is unreachable, with details only for loopback', async () => {
    running = await startServer(testConfig(path.join(dir, 'data'), path.join(dir, 'web')), silentLog);
    const response = await fetch(new URL('healthz', running.url));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, janus: false, connections: 0, calls: 0 });
  });

  it('serves no source maps unless asked to', async () => {
    fs.writeFileSync(path.join(dir, 'web', 'app.js.map'), '{"version":3}');
    running = await startServer(testConfig(path.join(dir, 'data'), path.join(dir, 'web')), silentLog);
    expect((await fetch(new URL('app.js.map', running.url))).status).toBe(404);
    await running.close();
    running = await startServer({ ...testConfig(path.join(dir, 'data'), path.join(dir, 'web')), serveSourceMaps: true }, silentLog);
    expect((await fetch(new URL('app.js.map', running.url))).status).toBe(200);
  });

  it('closes a connection that trickles its headers', async () => {
    running = await startServer(testConfig(path.join(dir, 'data'), path.join(dir, 'web')), silentLog);
    const started = Date.now();
    const socket = net.connect(running.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n'));
    const keepTrickling = setInterval(() => socket.write('X-Slow: 1\r\n'), 1000);
    await new Promise((resolve) => socket.on('close', resolve).on('error', resolve));
    clearInterval(keepTrickling);
    const seconds = (Date.now() - started) / 1000;
    console.log(`a request trickling its headers was closed after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(13);
  }, 30_000);
});
