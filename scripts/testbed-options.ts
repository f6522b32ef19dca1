// Command line of scripts/testbed.ts, kept apart from the script so it can be tested.
import { constants } from 'node:os';
import type { TestbedMode } from './testbed-network';

export const USAGE = `usage: npx tsx scripts/testbed.ts run [--keep-logs DIR] -- <command...>
       npx tsx scripts/testbed.ts local [--keep-logs DIR] -- <command...>
  run    Janus in a test-host namespace, <command> in a client namespace joined to it by a veth pair
  local  Janus in a test-host namespace, <command> here (the veth's other end is in this namespace)
<command> gets JANUS_WS_URL, JANUS_API_SECRET, JANUS_ADMIN_KEY, JANUS_RECORDINGS_DIR and SOFTPHONE_TESTBED=1.`;

/** Exit codes of the testbed itself; otherwise it exits with the command's code. */
export const EXIT = {
  usage: 2,
  /** Not root, no `ip netns`, or no Janus: callers report end-to-end tests as skipped. */
  unavailable: 3,
  setupFailed: 4,
  commandNotFound: 127,
} as const;

export interface TestbedOptions {
  readonly mode: TestbedMode;
  /** Copy Janus's log and the testbed's timings here when done. */
  readonly keepLogs: string | undefined;
  readonly command: readonly [string, ...string[]];
}

export function parseTestbedArgs(argv: readonly string[]): TestbedOptions | { error: string } {
  const [mode, ...rest] = argv;
  if (mode !== 'run' && mode !== 'local') return { error: `unknown mode ${JSON.stringify(mode ?? '')}` };
  const separator = rest.indexOf('--');
  if (separator === -1) return { error: 'missing "--" before the command' };
  const options = rest.slice(0, separator);
  const [program, ...args] = rest.slice(separator + 1);
  if (program === undefined) return { error: 'missing the command after "--"' };

  let keepLogs: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i];
    if (option === '--keep-logs' && options[i + 1] !== undefined) {
      keepLogs = options[++i];
    } else if (option?.startsWith('--keep-logs=')) {
      keepLogs = option.slice('--keep-logs='.length);
    } else {
      return { error: `unknown option ${JSON.stringify(option)}` };
    }
  }
  if (keepLogs === '') return { error: '--keep-logs needs a folder' };
  return { mode, keepLogs, command: [program, ...args] };
}

/** A shell-style exit status for a process that ended with `code` or was killed by `signal`. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}
