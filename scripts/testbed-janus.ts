// Starts and stops one Janus process. Readiness is read from the kernel's socket table (`ss`)
// instead of probing the port, so waiting sends no packet; a Janus that dies while starting is
// reported with the end of its log, which is where it says why.
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JANUS_CONFIG_FILE } from './testbed-janus-config';

export interface JanusLaunchOptions {
  /** The folder written by `writeJanusConfig`. */
  readonly configDir: string;
  readonly logFile: string;
  /** The WebSocket port from the configuration: Janus is ready once it listens there. */
  readonly wsPort: number;
  /** Runs Janus inside this network namespace (`ip netns exec`). */
  readonly netns?: string;
  readonly readyTimeoutMs?: number;
  /** How long Janus gets to exit after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs?: number;
  readonly janusBinary?: string;
}

export interface JanusExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningJanus {
  readonly pid: number;
  readonly logFile: string;
  /** Settles when Janus exits, however that happens. */
  readonly exited: Promise<JanusExit>;
  /** SIGTERM, then SIGKILL after the stop timeout; safe to call more than once. */
  stop(): Promise<JanusExit>;
}

const POLL_INTERVAL_MS = 50;
const OUTPUT_LIMIT = 8 * 1024;
const LOG_TAIL_LINES = 25;

export async function startJanus(options: JanusLaunchOptions): Promise<RunningJanus> {
  const janus = options.janusBinary ?? 'janus';
  const janusArgs = [
    '-F',
    options.configDir,
    '-C',
    join(options.configDir, JANUS_CONFIG_FILE),
    '-o', // no colours in the log
    '-N', // no log on stdout: the log file has it all
    '-L',
    options.logFile,
  ];
  const [command, args] = inNamespace(options.netns, janus, janusArgs);
  // Its own process group: a terminal's Ctrl-C reaches the owner, which stops Janus after the
  // clients that still use it.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });

  // Keeps the end of what Janus prints before its log file is open (e.g. a bad configuration).
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exit: JanusExit | undefined;
  const exited = new Promise<JanusExit>((resolve) => {
    child.once('error', (error) => {
      output += `\n${error.message}`;
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`could not start ${[command, ...args].join(' ')}: ${output.trim()}`);
  }

  let stopping: Promise<JanusExit> | undefined;
  const stop = (): Promise<JanusExit> => {
    stopping ??= (async () => {
      if (exit) return exit;
      child.kill('SIGTERM');
      const stopTimeout = options.stopTimeoutMs ?? 5_000;
      if (await settlesWithin(exited, stopTimeout)) return exited;
      child.kill('SIGKILL');
      if (await settlesWithin(exited, 2_000)) return exited;
      throw new Error(`Janus (pid ${pid}) did not exit after SIGKILL`);
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (!(await listensOn(options.netns, options.wsPort, pid))) {
    if (exit) {
      throw new Error(`Janus exited (${describeExit(exit)}) before listening on port ${options.wsPort}.\n${await janusDiagnostics(options.logFile, output)}`);
    }
    if (Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(
        `Janus did not listen on port ${options.wsPort} within ${options.readyTimeoutMs ?? 15_000} ms.\n${await janusDiagnostics(options.logFile, output)}`,
      );
    }
    await delay(POLL_INTERVAL_MS);
  }
  return { pid, logFile: options.logFile, exited, stop };
}

/** The last lines of Janus's log file, or what it printed if the file never came to be. */
export async function janusDiagnostics(logFile: string, printed = ''): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const lines = log.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  const parts = [lines ? `Last lines of ${logFile}:\n${lines}` : `${logFile} is empty or missing.`];
  if (printed.trim()) parts.push(`Janus printed:\n${printed.trim()}`);
  return parts.join('\n');
}

export function describeExit(exit: JanusExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === null ? 'could not run' : `code ${exit.code}`;
}

/** Whether process `pid` has a TCP socket listening on `port`, from the socket table. */
async function listensOn(netns: string | undefined, port: number, pid: number): Promise<boolean> {
  const [command, args] = inNamespace(netns, 'ss', ['-Hltnp', `sport = :${port}`]);
  const listing = await new Promise<string>((resolve) => {
    execFile(command, args, { timeout: 2_000 }, (error, stdout) => resolve(error ? '' : stdout));
  });
  return listing.includes(`pid=${pid},`);
}

/** The command line that runs `command` inside `netns`, or as is without one. */
export function inNamespace(netns: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return netns === undefined ? [command, [...args]] : ['ip', ['netns', 'exec', netns, command, ...args]];
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
