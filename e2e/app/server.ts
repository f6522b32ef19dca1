// Starts the real signaling server (the built dist/server/index.js) for end-to-end tests, against
// the testbed's Janus, with its own data folder and a free port on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestbedJanus } from '../support/janus';

export const SERVER_ENTRY = 'dist/server/index.js';

/**
 * Flags that lift the server's limits (src/server/limits.ts) far above what tests and benchmarks
 * that are not about them reach: they make many accounts and calls from one loopback address in
 * a few seconds. The flood tests (hostile.e2e.test.ts) run with the defaults instead.
 */
export const LOOSE_LIMIT_ARGS: readonly string[] = [
  '--max-pending-per-address',
  '1000',
  '--logins-per-minute',
  '100000',
  '--logins-per-minute-total',
  '100000',
  '--registrations-per-hour',
  '100000',
  '--registrations-per-minute-total',
  '100000',
  '--calls-per-minute',
  '100000',
  '--calls-to-one-per-minute',
  '100000',
  '--calls-received-per-minute',
  '100000',
];

export interface TestServer {
  /** The web client, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  readonly dataDir: string;
  /** The server's process id (to read its memory use). */
  readonly pid: number;
  /** Everything the server wrote to stderr (structured logs). */
  readonly logs: () => string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Stops and deletes its data folder. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  janus: TestbedJanus;
  ringTimeoutSeconds?: number;
  reconnectGraceSeconds?: number;
  /** Reuse a data folder (to restart a server with its accounts). */
  dataDir?: string;
  port?: number;
  /** Run with the server's default limits instead of LOOSE_LIMIT_ARGS. */
  defaultLimits?: boolean;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'softphone-server-')));
  const server = await launchServer(options.janus, [
    SERVER_ENTRY,
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    dataDir,
    '--ring-timeout',
    String(options.ringTimeoutSeconds ?? 30),
    '--reconnect-grace',
    String(options.reconnectGraceSeconds ?? 10),
    '--log-level',
    'debug',
    ...(options.defaultLimits ? [] : LOOSE_LIMIT_ARGS),
  ]);
  return {
    url: server.url,
    dataDir,
    pid: server.pid,
    logs: server.logs,
    stop: server.stop,
    kill: server.kill,
    async close() {
      await server.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface LaunchedServer {
  readonly url: string;
  readonly pid: number;
  /** What the server wrote to stderr (its structured logs), the last `keepLogBytes` of it. */
  logs(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/**
 * Runs `node <nodeArgs>` (a server that prints "Softphone web client: <url>" when it listens)
 * against the testbed's Janus, and waits up to 15 s for that line.
 */
export async function launchServer(janus: TestbedJanus, nodeArgs: string[], keepLogBytes = Infinity): Promise<LaunchedServer> {
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, JANUS_WS_URL: janus.url, JANUS_API_SECRET: janus.apiSecret, JANUS_ADMIN_KEY: janus.adminKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > keepLogBytes) stderr = stderr.slice(-keepLogBytes);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within 15 s:\n${stderr.slice(-2000)}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Softphone web client: (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${stderr.slice(-2000)}`));
    });
  });
  const signal = async (first: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(first);
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  return { url, pid: child.pid ?? 0, logs: () => stderr, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
