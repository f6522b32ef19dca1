// Runs a command against a private Janus: builds the testbed network (scripts/testbed-network.ts),
// generates a hardened configuration with fresh secrets, starts Janus on the test host, runs the
// command with the connection details in its environment, and takes everything down again, also
// when interrupted. Prints only to stderr, and nothing after the command ends unless cleaning up
// fails, so the command's last line stays its own. See USAGE in scripts/testbed-options.ts.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeJanusConfig } from './testbed-janus-config';
import { describeExit, inNamespace, janusDiagnostics, startJanus } from './testbed-janus';
import type { RunningJanus } from './testbed-janus';
import { createNetwork, deleteNetwork, testbedUnavailableReason } from './testbed-network';
import type { TestbedNetwork } from './testbed-network';
import { EXIT, USAGE, exitStatus, parseTestbedArgs } from './testbed-options';
import type { TestbedOptions } from './testbed-options';

const WS_PORT = 8188;
const RTP_PORTS = { min: 20_000, max: 20_100 } as const;
/** How long the command gets to exit after the signal the testbed received is passed on. */
const COMMAND_STOP_GRACE_MS = 10_000;

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

function say(line: string): void {
  process.stderr.write(`testbed: ${line}\n`);
}

async function main(): Promise<number> {
  const options = parseTestbedArgs(process.argv.slice(2));
  if ('error' in options) {
    say(options.error);
    process.stderr.write(`${USAGE}\n`);
    return EXIT.usage;
  }
  const unavailable = await testbedUnavailableReason();
  if (unavailable) {
    say(`unavailable: ${unavailable}`);
    return EXIT.unavailable;
  }
  return runTestbed(options);
}

async function runTestbed(options: TestbedOptions): Promise<number> {
  let interruptedBy: NodeJS.Signals | undefined;
  let command: ChildProcess | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) return;
    interruptedBy = signal;
    if (command) {
      signalGroup(command, signal);
      setTimeout(() => command && signalGroup(command, 'SIGKILL'), COMMAND_STOP_GRACE_MS).unref();
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  const checkpoint = () => {
    if (interruptedBy) throw new Interrupted(interruptedBy);
  };

  const timings: Record<string, number> = {};
  const started = performance.now();
  const workDir = await mkdtemp(join(tmpdir(), 'softphone-testbed-'));
  // The configuration folder holds the secrets and stays private; the recordings are for the command.
  await chmod(workDir, 0o711);
  const configDir = join(workDir, 'config');
  const recordingsDir = join(workDir, 'recordings');
  const logFile = join(workDir, 'janus.log');
  let network: TestbedNetwork | undefined;
  let janus: RunningJanus | undefined;
  let status: number = EXIT.setupFailed;
  let stoppingJanus = false;

  try {
    network = await createNetwork(options.mode);
    timings.networkMs = performance.now() - started;
    checkpoint();

    const apiSecret = randomBytes(24).toString('base64url');
    const adminKey = randomBytes(24).toString('base64url');
    await writeJanusConfig({
      dir: configDir,
      mediaIp: network.janusIp,
      iceEnforceInterface: network.janusInterface,
      wsIp: network.janusIp,
      wsPort: WS_PORT,
      wsAcl: [network.clientIp],
      apiSecret,
      adminKey,
      rtpPortRange: RTP_PORTS,
      recordingsDir,
    });
    const janusStarted = performance.now();
    janus = await startJanus({ configDir, logFile, wsPort: WS_PORT, netns: network.janusNamespace });
    timings.janusStartMs = performance.now() - janusStarted;
    timings.upMs = performance.now() - started;
    checkpoint();

    const runningJanus = janus;
    void runningJanus.exited.then(async (exit) => {
      if (!stoppingJanus) say(`Janus exited unexpectedly (${describeExit(exit)}).\n${await janusDiagnostics(logFile)}`);
    });

    const url = `ws://${network.janusIp}:${WS_PORT}`;
    say(
      `Janus ${janus.pid} ready at ${url} in ${Math.round(timings.upMs)} ms (network ${Math.round(timings.networkMs)} ms, Janus ${Math.round(timings.janusStartMs)} ms); running ${options.command.join(' ')}`,
    );
    const env = {
      ...process.env,
      JANUS_WS_URL: url,
      JANUS_API_SECRET: apiSecret,
      JANUS_ADMIN_KEY: adminKey,
      JANUS_RECORDINGS_DIR: recordingsDir,
      SOFTPHONE_TESTBED: '1',
      // The command's end of the link to the Janus test host (tests take it down to cut media).
      SOFTPHONE_TESTBED_INTERFACE: network.clientInterface,
    };
    const [program, ...args] = options.command;
    const [file, argv] = inNamespace(network.clientNamespace, program, args);
    const commandStarted = performance.now();
    status = await new Promise<number>((resolve) => {
      // Its own process group, so a signal reaches everything it started (a shell's children too).
      command = spawn(file, argv, { env, stdio: 'inherit', detached: true });
      command.once('error', (error) => {
        say(`could not run ${program}: ${error.message}`);
        resolve(EXIT.commandNotFound);
      });
      command.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
    });
    // Whatever the command left running would keep using Janus or the namespace.
    if (command) signalGroup(command, 'SIGKILL');
    timings.commandMs = performance.now() - commandStarted;
  } catch (error) {
    if (error instanceof Interrupted) {
      status = exitStatus(null, error.signal);
    } else {
      say(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    const teardownStarted = performance.now();
    const problems: string[] = [];
    stoppingJanus = true;
    if (janus) await janus.stop().catch((error: unknown) => problems.push(String(error)));
    if (options.keepLogs) await keepLog(options.keepLogs, logFile).catch((error: unknown) => problems.push(`keeping the log: ${String(error)}`));
    if (network) await deleteNetwork(network).catch((error: unknown) => problems.push(String(error)));
    await rm(workDir, { recursive: true, force: true }).catch((error: unknown) => problems.push(String(error)));
    timings.downMs = performance.now() - teardownStarted;
    if (options.keepLogs) {
      const record = { mode: options.mode, block: network?.index, status, ...roundAll(timings) };
      await writeFile(join(options.keepLogs, 'testbed-timings.json'), `${JSON.stringify(record)}\n`).catch(() => undefined);
    }
    if (problems.length > 0) {
      say(`teardown incomplete: ${problems.join('; ')}`);
      if (status === 0) status = EXIT.setupFailed;
    }
    for (const signal of signals) process.off(signal, onSignal);
  }
  return status;
}

async function keepLog(folder: string, logFile: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await copyFile(logFile, join(folder, 'janus.log'));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function roundAll(timings: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([name, value]) => [name, Math.round(value)]));
}

process.exitCode = await main();
