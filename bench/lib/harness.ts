// Runs one benchmark script: inside the testbed when it needs Janus (re-running itself through
// scripts/testbed.ts), within its time budget, saving its result and rewriting BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testbedJanus, type TestbedJanus } from '../../e2e/support/janus';
import { EXIT, exitStatus } from '../../scripts/testbed-options';
import { writeReport } from './report';
import { BENCHMARKS, BenchRecorder, type BenchName } from './results';

export interface BenchOptions {
  /** Needs the testbed's Janus (and runs in its client namespace). */
  testbed?: boolean;
  /** Open files the benchmark needs (raised with `ulimit -n` before it starts). */
  fileLimit?: number;
}

export interface BenchContext {
  recorder: BenchRecorder;
  /** Registers a clean-up step; they run in reverse order when the benchmark ends, however it ends. */
  cleanup(step: () => Promise<void> | void): void;
  /** The testbed's Janus, for benchmarks that asked for it. */
  janus: TestbedJanus | null;
  /** When the benchmark must have stopped measuring (ms since the epoch), leaving time to clean up. */
  deadline: number;
}

function runChild(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', () => resolve(EXIT.commandNotFound));
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
}

/** Node with tsx, running `script`, with the open-file limit raised first when asked. */
function selfCommand(script: string, fileLimit: number | undefined): string[] {
  const node = [process.execPath, '--import', 'tsx', script];
  return fileLimit ? ['bash', '-c', `ulimit -n ${fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`, 'bash', ...node] : node;
}

export async function runBench(name: BenchName, scriptUrl: string, body: (context: BenchContext) => Promise<void>, options: BenchOptions = {}): Promise<void> {
  const script = relative(process.cwd(), fileURLToPath(scriptUrl));
  const budgetMs = BENCHMARKS.find((bench) => bench.name === name)!.budgetMinutes * 60_000;
  const janus = testbedJanus();
  const inTestbed = !('skipReason' in janus);

  const raiseLimit = options.fileLimit !== undefined && !process.env.SOFTPHONE_BENCH_LIMITED;
  if (raiseLimit) process.env.SOFTPHONE_BENCH_LIMITED = '1';
  if (options.testbed && !inTestbed) {
    // Run again inside a fresh testbed; the inner run saves the result.
    const [command, ...args] = selfCommand(script, raiseLimit ? options.fileLimit : undefined);
    const status = await runChild(process.execPath, ['--import', 'tsx', 'scripts/testbed.ts', 'run', '--', command!, ...args]);
    if (status === EXIT.unavailable) {
      new BenchRecorder(name).save('skipped', 'the testbed is not available here (needs root, `ip netns` and Janus; see scripts/testbed.ts)');
      writeReport();
    }
    process.exitCode = status === EXIT.unavailable ? 0 : status;
    return;
  }
  if (raiseLimit) {
    const [command, ...args] = selfCommand(script, options.fileLimit);
    process.exitCode = await runChild(command!, args);
    return;
  }

  const recorder = new BenchRecorder(name);
  const started = Date.now();
  // Measuring stops at 85 % of the budget; past the whole budget the run is cut short.
  const deadline = started + budgetMs * 0.85;
  const guard = setTimeout(() => {
    recorder.save('failed', `did not finish within its ${budgetMs / 60_000} min budget`);
    writeReport();
    process.exit(1);
  }, budgetMs);
  guard.unref();
  const steps: (() => Promise<void> | void)[] = [];
  try {
    await body({ recorder, janus: inTestbed ? janus : null, deadline, cleanup: (step) => steps.push(step) });
    recorder.save();
  } catch (error) {
    console.error(error);
    recorder.save('failed', error instanceof Error ? error.message.split('\n')[0] : String(error));
    process.exitCode = 1;
  } finally {
    for (const step of steps.reverse()) {
      await Promise.race([Promise.resolve().then(step), new Promise((resolve) => setTimeout(resolve, 15_000))]).catch((error: unknown) =>
        console.error(`clean-up failed: ${String(error)}`),
      );
    }
    clearTimeout(guard);
    writeReport();
  }
  // Whatever a failed benchmark left open (a browser, a socket) must not keep the run waiting.
  process.exit();
}
