// Keeps one child process running: when it exits without being asked to, it is started again
// after a backoff (1 s, doubling to 30 s), at most `maxRestarts` times within `windowMs`; past
// that the supervisor gives up and reports the last exit. stop() ends it and restarts nothing.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface SuperviseOptions {
  command: string;
  args: string[];
  spawnOptions?: SpawnOptions;
  /** Each started child (to attach to its output). */
  onStart?: (child: ChildProcess, restarts: number) => void;
  /** An unexpected exit, before the restart (or before giving up). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, willRestart: boolean) => void;
  /** Gave up after too many restarts: the last exit's code. */
  onGiveUp?: (code: number) => void;
  /** Exit codes that mean a restart would not help (e.g. bad configuration): no restart. */
  finalExitCodes?: readonly number[];
  maxRestarts?: number;
  windowMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export interface Supervisor {
  /** The child running now, if any. */
  readonly child: ChildProcess | null;
  /** Ends the child (SIGTERM) and starts no other. */
  stop(): void;
}

export function supervise(options: SuperviseOptions): Supervisor {
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let child: ChildProcess | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let restartTimes: number[] = [];

  const start = () => {
    timer = null;
    if (stopped) return;
    const current = spawn(options.command, options.args, options.spawnOptions ?? {});
    child = current;
    options.onStart?.(current, restartTimes.length);
    current.on('exit', (code, signal) => {
      child = null;
      if (stopped) return;
      const now = Date.now();
      restartTimes = restartTimes.filter((time) => now - time < windowMs);
      const willRestart = restartTimes.length < maxRestarts && !(code !== null && options.finalExitCodes?.includes(code));
      options.onExit?.(code, signal, willRestart);
      if (!willRestart) return options.onGiveUp?.(code ?? 1);
      const delay = Math.min(firstDelayMs * 2 ** restartTimes.length, maxDelayMs);
      restartTimes.push(now);
      timer = setTimeout(start, delay);
    });
  };
  start();
  return {
    get child() {
      return child;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
