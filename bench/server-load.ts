// Server capacity: synthetic clients speaking the real protocol with real Ed25519 signatures (no
// media) against the real server, as its own process so its memory can be read: memory per idle
// logged-in connection and the login rate up to 10,000 connections, then call setups per second
// through the call state machine with real Janus rooms (invite → ringing → accept → call.accepted
// → hang-up → ended) — and, to tell the server's share from Janus's, the same signaling with rooms
// that carry no media (bench/lib/noMediaServer.ts). CPU profiles of the server say where the time
// goes. Run: npm run bench:server-load
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url } from '../src/shared/encoding';
import { loginChallengeBytes, type ServerMessage } from '../src/shared/protocol';
import { buildApp, startServer, type BenchServer } from './lib/app';
import { NodeProfiler, sourceMapFor, timeBySource } from './lib/cpuProfile';
import { runBench } from './lib/harness';
import { cpuSeconds, processesWith, residentBytes } from './lib/processCpu';
import { table, target } from './lib/results';
import { fmt, summarize } from './lib/stats';
import { SyntheticUser, newCallId } from './lib/syntheticClient';

const SESSIONS = 10_000;
const STEPS = [1_000, 2_500, 5_000, 7_500, 10_000];
/** Logins in flight at once. */
const CONCURRENCY = 200;
/** Source addresses the clients connect from, each with its own ephemeral ports. */
const SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
/** Caller/callee pairs calling at once, in turn: the rate grows with them until a process saturates. */
const CALL_PAIRS = [100, 250, 500];
const CALL_SECONDS = 8;
const PROFILE_SECONDS = 6;
const MAX_CALLS = 30_000;
const MB = 2 ** 20;

/** Median µs of one Ed25519 verification with @noble/curves and with node:crypto, interleaved. */
function verifyCosts(): { noble: number; openssl: number } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = loginChallengeBytes('http://127.0.0.1:8080', randomBytes(32).toString('base64url'));
  const signature = sign(null, message, privateKey);
  const raw = fromBase64Url(publicKey.export({ format: 'jwk' }).x!);
  const times = { noble: [] as number[], openssl: [] as number[] };
  for (let i = 0; i < 300; i++) {
    let started = performance.now();
    if (!ed25519.verify(signature, message, raw)) throw new Error('@noble rejected a good signature');
    times.noble.push((performance.now() - started) * 1000);
    started = performance.now();
    if (!verify(null, message, publicKey, signature)) throw new Error('node:crypto rejected a good signature');
    times.openssl.push((performance.now() - started) * 1000);
  }
  return { noble: summarize(times.noble).median, openssl: summarize(times.openssl).median };
}

/** Runs `task` on every item, `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

async function health(server: BenchServer): Promise<{ connections: number; calls: number }> {
  return (await (await fetch(`${server.url}healthz`)).json()) as { connections: number; calls: number };
}

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const is =
  <T extends ServerMessage['type']>(type: T, callId: string) =>
  (message: ServerMessage): message is Of<T> =>
    message.type === type && 'callId' in message && message.callId === callId;

/** One caller calling one callee over and over until `until`; returns each setup's invite → accepted time. */
async function callLoop(caller: SyntheticUser, callee: SyntheticUser, until: number, budget: { left: number }): Promise<number[]> {
  const setups: number[] = [];
  while (performance.now() < until && budget.left-- > 0) {
    const callId = newCallId();
    const incoming = callee.next(is('call.incoming', callId));
    const callerAccepted = caller.next(is('call.accepted', callId));
    const started = performance.now();
    await caller.client!.request({ type: 'call.invite', callId, to: callee.handle, video: false, decision: caller.decision(callId, 'caller', callee, true) });
    await incoming;
    await callee.client!.request({ type: 'call.accept', callId, decision: callee.decision(callId, 'callee', caller, true) });
    await callerAccepted;
    setups.push(performance.now() - started);
    const ended = [caller, callee].map((user) => user.next(is('call.ended', callId)));
    caller.client!.send({ type: 'call.hangup', callId });
    await Promise.all(ended);
  }
  return setups;
}

interface CallPhase {
  setups: number[];
  seconds: number;
  /** CPU share of one core over the phase. */
  cpu: { server: number; janus: number | null; clients: number };
}

/** Every pair calls over and over for `seconds`; with the CPU each process used meanwhile. */
async function callPhase(
  server: BenchServer,
  janusPid: number | null,
  pairs: readonly (readonly [SyntheticUser, SyntheticUser])[],
  seconds: number,
): Promise<CallPhase> {
  const budget = { left: MAX_CALLS };
  const cpuBefore = { server: cpuSeconds([server.pid]), janus: janusPid ? cpuSeconds([janusPid]) : 0, clients: process.cpuUsage() };
  const started = performance.now();
  const until = started + seconds * 1000;
  const setups = (await Promise.all(pairs.map(([caller, callee]) => callLoop(caller, callee, until, budget)))).flat();
  const elapsed = (performance.now() - started) / 1000;
  const clients = process.cpuUsage(cpuBefore.clients);
  return {
    setups,
    seconds: elapsed,
    cpu: {
      server: (cpuSeconds([server.pid]) - cpuBefore.server) / elapsed,
      janus: janusPid ? (cpuSeconds([janusPid]) - cpuBefore.janus) / elapsed : null,
      clients: (clients.user + clients.system) / 1e6 / elapsed,
    },
  };
}

/** A short call phase under the server's CPU profiler: its time by source file. */
async function profiledCalls(server: BenchServer, pairs: readonly (readonly [SyntheticUser, SyntheticUser])[]): Promise<Map<string, number>> {
  const profiler = await NodeProfiler.start(server.inspectorUrl!);
  const phase = await callPhase(server, null, pairs, PROFILE_SECONDS);
  return perItem(
    timeBySource([await profiler.stop()], (url) => sourceMapFor(url)),
    phase.setups.length,
  );
}

/** Profile totals per call or login, in ms. */
function perItem(totals: Map<string, number>, count: number): Map<string, number> {
  return new Map([...totals].map(([where, ms]) => [where, ms / Math.max(1, count)]));
}

function profileTable(perItemMs: Map<string, number>, unit: string, rows = 12): string {
  const busy = [...perItemMs].filter(([where]) => where !== '(idle)');
  const total = busy.reduce((sum, [, ms]) => sum + ms, 0);
  return table(
    ['Where (original source)', `CPU ms per ${unit}`, 'Share'],
    [
      ...busy
        .sort((a, b) => b[1] - a[1])
        .slice(0, rows)
        .map(([where, ms]) => [`\`${where}\``, fmt(ms, 3), `${fmt((100 * ms) / total, 0)} %`]),
      ['**all but idle**', fmt(total, 3), '100 %'],
    ],
  );
}

function phaseRow(name: string, pairs: number, phase: CallPhase): string[] {
  const latency = summarize(phase.setups);
  const share = (value: number | null) => (value === null ? '—' : `${fmt(100 * value, 0)} %`);
  return [
    name,
    String(pairs),
    String(phase.setups.length),
    fmt(phase.setups.length / phase.seconds, 0),
    `${fmt(latency.median, 1)} ms`,
    `${fmt(latency.p99, 1)} ms`,
    share(phase.cpu.server),
    share(phase.cpu.janus),
    share(phase.cpu.clients),
  ];
}

await runBench(
  'server-load',
  import.meta.url,
  async ({ recorder, janus, cleanup }) => {
    await buildApp();
    const dataDir = await mkdtemp(join(tmpdir(), 'softphone-bench-load-'));
    cleanup(() => rm(dataDir, { recursive: true, force: true }));
    const wsUrl = (server: BenchServer) => `${server.url.replace(/^http/, 'ws')}ws`;
    const users = Array.from({ length: SESSIONS }, (_, i) => new SyntheticUser(`load${i}`));
    const leave = async (server: BenchServer) => {
      users.forEach((user) => user.close());
      for (let waited = 0; (await health(server)).connections > 0 && waited < 30_000; waited += 250) await settle(250);
    };
    cleanup(() => users.forEach((user) => user.close()));
    const janusPid = processesWith(dirname(janus!.recordingsDir)).find((pid) => processesWith('janus').includes(pid)) ?? null;

    // Accounts first: every user registers once, then the server restarts with them on disk.
    const registering = await startServer(janus!, { dataDir });
    cleanup(() => registering.stop());
    let started = performance.now();
    await inPool(users, CONCURRENCY, (user, i) => user.connect(wsUrl(registering), SOURCES[i % SOURCES.length]!, true));
    const registerRate = SESSIONS / ((performance.now() - started) / 1000);
    await leave(registering);
    await registering.stop();

    const server = await startServer(janus!, { dataDir, inspect: true });
    cleanup(() => server.stop());
    await settle(3000);
    const baselineRss = residentBytes(server.pid);

    // Logins up to SESSIONS connections, all staying connected and idle.
    const steps: { sessions: number; seconds: number; rss: number; loginMs: number[] }[] = [];
    const loginCpu = cpuSeconds([server.pid]);
    let done = 0;
    let loginProfile = new Map<string, number>();
    for (const step of STEPS) {
      const batch = users.slice(done, step);
      const loginMs: number[] = [];
      // The last step runs under the CPU profiler.
      const profiler = step === STEPS.at(-1) ? await NodeProfiler.start(server.inspectorUrl!) : null;
      started = performance.now();
      await inPool(batch, CONCURRENCY, async (user, i) => {
        const began = performance.now();
        await user.connect(wsUrl(server), SOURCES[(done + i) % SOURCES.length]!, false);
        loginMs.push(performance.now() - began);
      });
      const seconds = (performance.now() - started) / 1000;
      if (profiler)
        loginProfile = perItem(
          timeBySource([await profiler.stop()], (url) => sourceMapFor(url)),
          batch.length,
        );
      steps.push({ sessions: step, seconds, rss: residentBytes(server.pid), loginMs });
      done = step;
    }
    const loginCpuShare = (cpuSeconds([server.pid]) - loginCpu) / steps.reduce((sum, step) => sum + step.seconds, 0);
    const connected = (await health(server)).connections;
    if (connected !== SESSIONS) throw new Error(`the server counts ${connected} connections, not ${SESSIONS}`);
    let peakRss = 0;
    const idleCpu = cpuSeconds([server.pid]);
    for (let i = 0; i < 20; i++) {
      await settle(500);
      peakRss = Math.max(peakRss, residentBytes(server.pid));
    }
    const idleRss = residentBytes(server.pid);
    const idleCpuShare = (cpuSeconds([server.pid]) - idleCpu) / 10;
    const perConnection = (idleRss - baselineRss) / SESSIONS;
    const loginSeconds = steps.reduce((sum, s) => sum + s.seconds, 0);

    recorder.section(
      `Logins up to ${SESSIONS.toLocaleString('en-US')} idle connections (server process RSS)`,
      [
        table(
          ['Connections', 'Logins/s in this step', 'Login p50', 'Login p99', 'Server RSS'],
          steps.map((s, i) => {
            const latency = summarize(s.loginMs);
            return [
              s.sessions.toLocaleString('en-US'),
              fmt((s.sessions - (STEPS[i - 1] ?? 0)) / s.seconds, 0),
              `${fmt(latency.median, 0)} ms`,
              `${fmt(latency.p99, 0)} ms`,
              `${fmt(s.rss / MB, 0)} MB`,
            ];
          }),
        ),
        '',
        `Server RSS: ${fmt(baselineRss / MB, 0)} MB freshly started with the ${SESSIONS.toLocaleString('en-US')} accounts on disk; ` +
          `${fmt(idleRss / MB, 0)} MB with all ${SESSIONS.toLocaleString('en-US')} logged in and idle for 10 s (at most ${fmt(peakRss / MB, 0)} MB meanwhile) — ` +
          `${fmt(perConnection / 1024, 1)} KB per connection, garbage not yet collected included. ` +
          `Idle, the server used ${fmt(100 * idleCpuShare, 1)} % of a core (a WebSocket ping to every connection every 15 s: ${fmt(SESSIONS / 15, 0)} pings/s). ` +
          `Logins: ${fmt(SESSIONS / loginSeconds, 0)}/s over all ${SESSIONS.toLocaleString('en-US')} (registrations: ${fmt(registerRate, 0)}/s), ${CONCURRENCY} in flight at a time from ${SOURCES.length} loopback source addresses; ` +
          `each is a WebSocket connection, a challenge, an Ed25519 signature checked with @noble/curves and an account lookup; the server used ${fmt(100 * loginCpuShare, 0)} % of a core meanwhile.`,
      ].join('\n'),
    );
    recorder.addTarget(target(`Server RSS with ${SESSIONS.toLocaleString('en-US')} idle logged-in connections`, idleRss / MB, 500, 'at most', ' MB', 0));
    recorder.section(
      `Server CPU profile during the last ${(STEPS.at(-1)! - STEPS.at(-2)!).toLocaleString('en-US')} logins (per login)`,
      profileTable(loginProfile, 'login', 8),
    );
    const verify = verifyCosts();
    const nobleShare =
      [...loginProfile].filter(([where]) => where.startsWith('@noble/curves')).reduce((sum, [, ms]) => sum + ms, 0) /
      [...loginProfile].filter(([where]) => where !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
    recorder.note(
      `Logins are bound by the server's CPU (${fmt(100 * loginCpuShare, 0)} % of a core during the ramp), ${fmt(100 * nobleShare, 0)} % of it in @noble/curves checking the Ed25519 signature. ` +
        `Measured in this process, side by side: one verification takes ${fmt(verify.noble, 0)} µs with @noble/curves and ${fmt(verify.openssl, 0)} µs with node:crypto (OpenSSL) — the server could check logins with node:crypto if the login rate ever matters (no target here; not changed).`,
    );

    // Call setups through the state machine, with real Janus rooms, while the other sessions idle.
    const pairsOf = (count: number) => Array.from({ length: count }, (_, i) => [users[2 * i]!, users[2 * i + 1]!] as const);
    const withJanus: [number, CallPhase][] = [];
    for (const count of CALL_PAIRS) withJanus.push([count, await callPhase(server, janusPid, pairsOf(count), CALL_SECONDS)]);
    if ((await health(server)).calls !== 0) throw new Error('calls were left live after the call phase');
    const busiest = Math.max(...CALL_PAIRS);
    const janusProfile = await profiledCalls(server, pairsOf(busiest));
    await leave(server);
    await server.stop();

    // The same signaling with rooms that carry no media: what the state machine does on its own.
    const noMedia = await startServer(janus!, { dataDir, noMedia: true, inspect: true });
    cleanup(() => noMedia.stop());
    await inPool(pairsOf(busiest).flat(), CONCURRENCY, (user, i) => user.connect(wsUrl(noMedia), SOURCES[i % SOURCES.length]!, false));
    const withoutMedia: [number, CallPhase][] = [];
    for (const count of CALL_PAIRS) withoutMedia.push([count, await callPhase(noMedia, null, pairsOf(count), CALL_SECONDS)]);
    const noMediaProfile = await profiledCalls(noMedia, pairsOf(busiest));
    await leave(noMedia);
    await noMedia.stop();

    const rate = (phase: CallPhase) => phase.setups.length / phase.seconds;
    const best = (phases: [number, CallPhase][]) => Math.max(...phases.map(([, phase]) => rate(phase)));
    recorder.section(
      `Call setups through the state machine: caller/callee pairs calling over and over, ${CALL_SECONDS} s per row`,
      [
        table(
          ['Rooms', 'Pairs at once', 'Setups', 'Setups/s', 'Invite → accepted p50', 'p99', 'Server CPU', 'Janus CPU', 'Load generator CPU'],
          [
            ...withJanus.map(([count, phase]) => phaseRow(`real Janus VideoRooms, ${SESSIONS.toLocaleString('en-US')} other sessions idle`, count, phase)),
            ...withoutMedia.map(([count, phase]) => phaseRow('**no media (benchmark only)**', count, phase)),
          ],
        ),
        '',
        'CPU is the share of one core each process used during the row (all its threads). The "no media" rows are **not the product**: ' +
          'bench/lib/noMediaServer.ts runs the real SignalingServer and AccountStore with a room factory whose rooms are made and destroyed at once and carry no media, to show what signaling and the call state machine sustain on their own.',
      ].join('\n'),
    );
    recorder.addTarget(
      target(
        'Call setups per second with real Janus rooms (invite → ringing → accept → accepted → hang-up → ended; best row)',
        best(withJanus),
        500,
        'at least',
        '/s',
        0,
      ),
    );
    recorder.addTarget(
      target('Call setups per second, signaling alone (rooms without media, benchmark only; best row)', best(withoutMedia), 500, 'at least', '/s', 0),
    );
    recorder.section(`Server CPU profile during call setups with real Janus rooms (${PROFILE_SECONDS} s, per call set up)`, profileTable(janusProfile, 'call'));
    recorder.section(`Server CPU profile during call setups without media (${PROFILE_SECONDS} s, per call set up)`, profileTable(noMediaProfile, 'call'));
    const share = (profile: Map<string, number>, where: string) => {
      const total = [...profile].filter(([key]) => key !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
      return (100 * (profile.get(where) ?? 0)) / total;
    };
    recorder.note(
      `Where a call setup's server CPU goes (real Janus rooms): ${fmt(share(janusProfile, '(native) writev'), 0)} % in \`writev\` — every protocol message, every Janus request and every log line is a system call ` +
        `(the ${SESSIONS.toLocaleString('en-US')} idle sessions' pings land there too) — and ${fmt(share(janusProfile, 'src/server/log.ts'), 0)} % formatting log lines; the call state machine itself (calls.ts, signaling.ts) is a few per cent. ` +
        'Rates here are bounded by this 2-core machine, which also runs the load generator and Janus: see the CPU columns.',
    );
    recorder.note(
      `Each setup: the caller's signed invite, ringing, the callee's signed accept, the room created, call.accepted to both, hang-up, the room destroyed, call.ended to both (E2EE rooms). The servers log at their default level (info). The profiles run with ${busiest} pairs. The load generator runs on the same ${os.cpus().length} cores as the server and Janus.`,
    );
  },
  { testbed: true, fileLimit: 65_536 },
);
