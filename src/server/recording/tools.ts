// The external programs recording and transcription run (janus-pp-rec, ffmpeg, pocketsphinx):
// each run is bounded in time and output, and its failure becomes a ToolError whose message says
// what a person can act on — a program that is not installed, a full disk, or the program's own
// last words — never a stack of child-process internals.
import { execFile, type ExecFileException } from 'node:child_process';
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import path from 'node:path';

/** A step of the pipeline failed; the message says why in words a user can be shown. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly reason: 'missing' | 'disk-full' | 'failed',
  ) {
    super(message);
  }
}

export interface ToolRun {
  /** The program, by name (looked up on PATH) or path. */
  readonly program: string;
  readonly args: readonly string[];
  /** The run is killed after this long. */
  readonly timeoutMs: number;
  /** The Debian package that provides the program, named in the error when it is missing. */
  readonly packageName: string;
}

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Runs a program; resolves with its standard output. */
export function runTool(run: ToolRun): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      run.program,
      run.args,
      { timeout: run.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        reject(toolFailure(run, error, stderr));
      },
    );
  });
}

function toolFailure(run: ToolRun, error: ExecFileException, stderr: string): ToolError {
  const name = path.basename(run.program);
  if (error.code === 'ENOENT') return missingProgram(name, run.packageName);
  if (isDiskFull(error) || /no space left on device/i.test(stderr)) return diskFull();
  if (error.killed) return new ToolError(`${name} did not finish within ${Math.round(run.timeoutMs / 1000)} s`, 'failed');
  const lastLine = stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .pop();
  return new ToolError(`${name} failed${lastLine ? `: ${lastLine.trim().slice(0, 200)}` : ` (exit ${String(error.code)})`}`, 'failed');
}

export function missingProgram(name: string, packageName: string): ToolError {
  return new ToolError(`${name} is not installed on the server (Debian package ${packageName})`, 'missing');
}

export function diskFull(): ToolError {
  return new ToolError('the server’s disk is full', 'disk-full');
}

/** A full disk or quota, from the file system or from SQLite (`SQLITE_FULL`). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

/** The path of an executable `name` on PATH (or `name` itself when it is a path), or null. */
export async function findExecutable(name: string, searchPath = process.env.PATH ?? ''): Promise<string | null> {
  const candidates = name.includes('/')
    ? [name]
    : searchPath
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: try the next folder
    }
  }
  return null;
}

/** Bytes free for the server on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}
