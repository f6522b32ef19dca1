// Hostile input and floods against the real built server process (dist/server/index.js, with its
// default limits) and the testbed's Janus: a deeply nested frame, 10 MB frames, 2,000 sockets
// that never log in, clients that stop reading, invite floods (seen from a Node client and from the
// web client in Chromium), a registration flood, a small-order key, truncated databases, and a
// login signed for one server relayed to another. Each measured case prints the server's RSS
// (before, peak, after) and the round trips of a logged-in pair that keeps asking the server for
// each other's key throughout; the server must stay up, the pair keep working and the RSS come back
// to within 50 MB of where it started.
//
// Every attacker dials from its own loopback address (127.0.0.0/8 all reaches the server on
// 127.0.0.1), so the limits by address apply to it alone and the pair, on 127.0.0.1, is not
// limited by what the attack used up. Every sending loop is bounded in count and time.
// Run: npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/hostile.e2e.test.ts
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { copyFile, rm, truncate } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';
import { DEFAULT_LIMITS } from '../src/server/limits';
import { CloseCode } from '../src/server/signaling';
import { rawLogin, TestUser } from '../src/server/testing/signalingFakes';
import { signDecision } from '../src/shared/e2ee/decision';
import { CALL_HANDSHAKE_SUITE } from '../src/shared/e2ee/handshake';
import { fromBase64Url, toBase64Url } from '../src/shared/encoding';
import { PROTOCOL_VERSION, type ServerMessage } from '../src/shared/protocol';
import type { SignalingError } from '../src/shared/signalingClient';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`hostile input e2e tests skipped: ${skipReason}`);

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** Resident memory of a process, from /proc: now, and the high-water mark. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** CPU time a process has used, in ms (/proc's utime + stime, in ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits (at most `limitMs`) until a process has used under 10% of a core over 300 ms: it has caught up. */
async function untilIdle(pid: number, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  let last = cpuMsOf(pid);
  while (performance.now() < until) {
    await sleep(300);
    const now = cpuMsOf(pid);
    if (now - last < 30) return;
    last = now;
  }
}

/**
 * Watches a process's RSS: the peak is the kernel's high-water mark, reset first (clear_refs 5),
 * or where that cannot be reset, the highest of samples taken every 20 ms.
 */
function watchMemory(pid: number) {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwmReset = false;
  }
  const before = memoryOf(pid).rss;
  let sampled = before;
  const timer = setInterval(() => (sampled = Math.max(sampled, memoryOf(pid).rss)), 20);
  return {
    before,
    stop(): number {
      clearInterval(timer);
      const now = memoryOf(pid);
      return Math.max(sampled, now.rss, hwmReset ? now.hwm : 0);
    },
  };
}

/** The pair's side of a case: each asks for the other's key every 50 ms until stopped (at most 2 minutes). */
function exchange(a: TestUser, b: TestUser) {
  const times: number[] = [];
  const failures: string[] = [];
  let running = true;
  const until = performance.now() + 120_000;
  const loops = [
    [a, b],
    [b, a],
  ].map(async ([asker, other]) => {
    while (running && performance.now() < until) {
      const sent = performance.now();
      try {
        const answer = await asker!.client.request({ type: 'lookup', handle: other!.handle });
        if (answer.type !== 'lookup.result' || answer.publicKey !== other!.publicKey) failures.push(`wrong answer: ${answer.type}`);
        else times.push(performance.now() - sent);
      } catch (error) {
        failures.push((error as Error).message);
      }
      await sleep(50);
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    const sorted = [...times].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    return {
      count: sorted.length,
      failures,
      text: `${sorted.length} round trips, median ${median.toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms, ${failures.length} failed`,
    };
  };
}

/** A socket that parses what it receives, waiting for the server's challenge. */
async function rawSocket(wsUrl: string, localAddress: string) {
  const socket = new WebSocket(wsUrl, { localAddress });
  const messages: { type: string; code?: string; message?: string }[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string; code?: string }));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('error', () => undefined);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await expect.poll(() => messages.some((m) => m.type === 'challenge')).toBe(true);
  return { socket, messages, closed };
}

const newCallId = () => toBase64Url(randomBytes(16));

describe('the built server under hostile input and floods, with its default limits', () => {
  let server: TestServer;
  let wsUrl: string;
  let startRss: number;
  const alice = new TestUser('alice');
  const bob = new TestUser('bob');
  let nextAddress = 2;
  /** A loopback address no one in this file has dialled from. */
  const freshAddress = () => `127.0.0.${nextAddress++}`;

  /** A user registered from its own address; gives the user and that address. */
  async function registered(handle: string): Promise<TestUser> {
    const user = new TestUser(handle);
    await user.connect(wsUrl, true, { localAddress: freshAddress() });
    return user;
  }

  /**
   * Runs `attack` while the pair exchanges lookups, prints the figures, and checks that the server
   * came through: still answering, the pair never failed, the RSS back within 50 MB.
   */
  async function measured<T extends object>(name: string, attack: () => Promise<T>): Promise<T> {
    const memory = watchMemory(server.pid);
    const cpuBefore = cpuMsOf(server.pid);
    const stopPair = exchange(alice, bob);
    const figures = await attack();
    const pair = await stopPair();
    const peak = memory.stop();
    const cpu = cpuMsOf(server.pid) - cpuBefore;
    let after = memoryOf(server.pid).rss;
    await expect
      .poll(() => (after = memoryOf(server.pid).rss) - memory.before, { timeout: 10_000, interval: 250 })
      .toBeLessThan(50 * MB)
      .catch(() => undefined);
    console.log(
      `${name}: ${JSON.stringify(figures)}\n  server RSS ${mb(memory.before)} before, ${mb(peak)} peak, ${mb(after)} after (${mb(startRss)} at start), ${cpu} ms of its CPU; ` +
        `the pair's lookups during it: ${pair.text}`,
    );
    expect(pair.failures).toEqual([]);
    expect(pair.count).toBeGreaterThan(0);
    expect(await alice.client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(after - memory.before).toBeLessThan(50 * MB);
    return figures;
  }

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed, defaultLimits: true });
    wsUrl = `${server.url.replace(/^http/, 'ws')}ws`;
    startRss = memoryOf(server.pid).rss;
    await alice.connect(wsUrl);
    await bob.connect(wsUrl);
  });

  afterAll(async () => {
    if (server) console.log(`server RSS over the whole file: ${mb(startRss)} at start, ${mb(memoryOf(server.pid).rss)} at the end`);
    alice.client?.close();
    bob.client?.close();
    await server?.close();
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('answers frames of 30,000 nested arrays from 20 connections with an error each, on connections that stay open', async () => {
    const depth = 30_000;
    const frames = [
      `{"v":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      `{"v":${PROTOCOL_VERSION},"type":"lookup","handle":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    ];
    const figures = await measured('nested frames', async () => {
      // As many connections as one address may have waiting, 40 frames on each over 2 s: under
      // their rate and error limits, so each must be answered, and the server must not stall.
      const address = freshAddress();
      const sockets = await Promise.all(Array.from({ length: DEFAULT_LIMITS.pendingPerAddress }, () => rawSocket(wsUrl, address)));
      for (let i = 0; i < 40; i++) {
        for (const { socket } of sockets) socket.send(frames[i % 2]!);
        await sleep(50);
      }
      const errors = () => sockets.flatMap(({ messages }) => messages.filter((m) => m.type === 'error'));
      await expect.poll(() => errors().length, { timeout: 30_000 }).toBe(40 * sockets.length);
      const open = sockets.filter(({ socket }) => socket.readyState === WebSocket.OPEN).length;
      const codes = [...new Set(errors().map((m) => m.code))].sort();
      const longest = Math.max(...errors().map((m) => m.message?.length ?? 0));
      for (const { socket } of sockets) socket.close();
      return { frames: 40 * sockets.length, frameBytes: frames[1]!.length, errors: errors().length, codes, longestErrorText: longest, stillOpen: open };
    });
    expect(figures.codes).toEqual(['bad-message']);
    expect(figures.stillOpen).toBe(DEFAULT_LIMITS.pendingPerAddress);
    expect(figures.longestErrorText).toBeLessThan(300);
  });

  it('closes each connection that sends a 10 MB frame (1009) and goes on', async () => {
    const figures = await measured('10 MB frames', async () => {
      const frame = `{"v":${PROTOCOL_VERSION},"type":"lookup","handle":"${'x'.repeat(10 * MB)}"}`;
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { socket, closed } = await rawSocket(wsUrl, freshAddress());
        socket.send(frame);
        codes.push(await Promise.race([closed, sleep(10_000).then(() => -1)]));
        socket.terminate();
      }
      return { frames: 5, frameBytes: frame.length, closeCodes: codes };
    });
    expect(figures.closeCodes).toEqual([1009, 1009, 1009, 1009, 1009]);
  });

  it('2,000 sockets that never log in: 20 per address and 1,000 in all are let in, the rest refused (503)', async () => {
    const figures = await measured('2,000 unauthenticated sockets', async () => {
      const sockets: WebSocket[] = [];
      const open = (localAddress: string) => {
        const socket = new WebSocket(wsUrl, { localAddress });
        sockets.push(socket);
        return new Promise<'opened' | 'refused' | 'failed'>((resolve) => {
          socket.once('open', () => resolve('opened'));
          socket.once('unexpected-response', (request, response) => {
            resolve(response.statusCode === 503 ? 'refused' : 'failed');
            request.destroy();
          });
          socket.on('error', () => resolve('failed'));
        });
      };
      const tally = (outcomes: string[]) => ({
        opened: outcomes.filter((o) => o === 'opened').length,
        refused: outcomes.filter((o) => o === 'refused').length,
        failed: outcomes.filter((o) => o === 'failed').length,
      });
      const deadline = performance.now() + 30_000;
      // 100 from one address, then 1,900 from 95 others, 20 each (the per-address allowance).
      const oneAddress = freshAddress();
      const fromOne = tally(await Promise.all(Array.from({ length: 100 }, () => open(oneAddress))));
      const outcomes: string[] = [];
      for (let batch = 0; batch < 19 && performance.now() < deadline; batch++) {
        const addresses = Array.from({ length: 5 }, (_, i) => `127.0.${10 + batch}.${i + 1}`);
        outcomes.push(...(await Promise.all(addresses.flatMap((address) => Array.from({ length: 20 }, () => open(address))))));
      }
      const fromMany = tally(outcomes);
      for (const socket of sockets) socket.terminate();
      // Their places are given back: a new user logs in at once.
      await sleep(500);
      const late = new TestUser('latecomer');
      await late.connect(wsUrl, true, { localAddress: freshAddress() });
      late.client.close();
      return { sockets: sockets.length, fromOneAddress: fromOne, fromManyAddresses: fromMany };
    });
    expect(figures.sockets).toBe(2000);
    expect(figures.fromOneAddress).toEqual({ opened: DEFAULT_LIMITS.pendingPerAddress, refused: 100 - DEFAULT_LIMITS.pendingPerAddress, failed: 0 });
    // Up to the total: a socket of an earlier case still closing may hold a place for a moment.
    expect(figures.fromOneAddress.opened + figures.fromManyAddresses.opened).toBeLessThanOrEqual(DEFAULT_LIMITS.pendingConnections);
    expect(figures.fromOneAddress.opened + figures.fromManyAddresses.opened).toBeGreaterThan(DEFAULT_LIMITS.pendingConnections - 10);
    expect(figures.fromManyAddresses.failed).toBe(0);
  });

  it('four logged-in clients that stop reading while asking for presence are each closed at 1 MB unsent (4004)', async () => {
    const watchers = await Promise.all(['slow0', 'slow1', 'slow2', 'slow3'].map((handle) => registered(handle)));
    for (const user of watchers) user.client.close();
    const figures = await measured('4 paused sockets switching between two lists of 500 handles', async () => {
      const lists = ['a', 'b'].map((list) => Array.from({ length: 500 }, (_, i) => `watched-${list}${i}`));
      const sockets = await Promise.all(watchers.map((user) => rawLogin(wsUrl, user, { localAddress: freshAddress() })));
      const codes = sockets.map((socket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))));
      const tcp = (socket: WebSocket) => (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      for (const socket of sockets) tcp(socket).pause();
      // The burst of 100 at once, then 40 a second, for at most 8 s: each switch makes the server
      // queue 500 statuses (about 32 KB) for each socket, 8 MB each in all: past what the kernel's
      // socket buffers take (about 4 MB on loopback) and the bound.
      const until = performance.now() + 8000;
      let switches = 0;
      for (; switches < 260 && performance.now() < until; switches++) {
        for (const socket of sockets)
          if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'presence.watch', handles: lists[switches % 2] }));
        if (switches >= 100 && switches % 4 === 3) await sleep(100);
      }
      // Read again only once the server has answered everything sent (a reader would drain its queue).
      await untilIdle(server.pid, 30_000);
      for (const socket of sockets) tcp(socket).resume();
      const closeCodes = await Promise.race([Promise.all(codes), sleep(20_000).then(() => 'not closed within 20 s')]);
      for (const socket of sockets) socket.terminate();
      return { switches, closeCodes };
    });
    expect(figures.closeCodes).toEqual([CloseCode.tooSlow, CloseCode.tooSlow, CloseCode.tooSlow, CloseCode.tooSlow]);
  });

  /** `attacker` invites `victimHandle` and cancels what rings, for at most `ms` and `count` invites. */
  async function inviteFlood(attacker: TestUser, victimHandle: string, victimKey: Uint8Array, ms: number, count: number) {
    const tally = { rang: 0, missed: 0, refused: 0, closedForErrors: false };
    const until = performance.now() + ms;
    for (let i = 0; i < count && performance.now() < until; i++) {
      const callId = newCallId();
      const decision = signDecision(attacker.secret, {
        callId,
        role: 'caller',
        e2ee: true,
        signerKey: fromBase64Url(attacker.publicKey),
        peerKey: victimKey,
        handshake: CALL_HANDSHAKE_SUITE,
        issuedAt: Date.now(),
      });
      try {
        const answer = await attacker.client.request({ type: 'call.invite', callId, to: victimHandle, video: false, decision });
        if (answer.type === 'call.ringing') {
          tally.rang += 1;
          await sleep(300);
          attacker.client.send({ type: 'call.cancel', callId });
          await expect.poll(() => attacker.inbox.some((m) => m.type === 'call.ended' && m.callId === callId)).toBe(true);
        } else tally.missed += 1;
      } catch (error) {
        const code = (error as SignalingError).code;
        if (code === 'closed') {
          tally.closedForErrors = true;
          break;
        }
        if (code !== 'rate-limited') throw error;
        tally.refused += 1;
        await sleep(20);
      }
    }
    return tally;
  }

  const sum = (tallies: { rang: number; missed: number; refused: number }[]) => ({
    rang: tallies.reduce((total, t) => total + t.rang, 0),
    missed: tallies.reduce((total, t) => total + t.missed, 0),
    refused: tallies.reduce((total, t) => total + t.refused, 0),
  });

  it('an invite flood from one account, then from three with the victim on do-not-disturb, reaches the victim at most the limit of times', async () => {
    const victim = await registered('victim');
    const victimKey = fromBase64Url(victim.publicKey);
    const attackers = await Promise.all(['mallory0', 'mallory1', 'mallory2'].map((handle) => registered(handle)));
    const started = performance.now();
    const single = await measured('invite+cancel flood from one account (at most 60 invites, 5 s)', async () =>
      inviteFlood(attackers[0]!, 'victim', victimKey, 5000, 60),
    );
    expect(single.rang).toBeGreaterThan(0);
    expect(single.rang).toBeLessThanOrEqual(DEFAULT_LIMITS.callsToOnePerMinute);

    await victim.client.request({ type: 'presence.set', status: 'dnd' });
    const several = await measured('invite flood from three accounts, victim on do-not-disturb (at most 60 each, 5 s)', async () =>
      sum(await Promise.all(attackers.map((user) => inviteFlood(user, 'victim', victimKey, 5000, 60)))),
    );
    await victim.client.request({ type: 'ping' });
    const seconds = (performance.now() - started) / 1000;
    const incoming = victim.received('call.incoming').length;
    const missed = victim.received('call.missed').length;
    console.log(
      `  the victim was sent ${incoming} incoming and ${missed} missed calls in ${seconds.toFixed(1)} s (limit ${DEFAULT_LIMITS.callsReceivedPerMinute} a minute)`,
    );
    expect(incoming).toBe(single.rang);
    expect(missed).toBe(several.missed);
    expect(several.missed).toBeGreaterThan(0);
    expect(incoming + missed).toBeLessThanOrEqual(DEFAULT_LIMITS.callsReceivedPerMinute + Math.ceil((DEFAULT_LIMITS.callsReceivedPerMinute * seconds) / 60));
    for (const user of [victim, ...attackers]) user.client.close();
  });

  it('an invite flood from three accounts at the web client in Chromium: at most the limit shows as rings or missed calls', async () => {
    const victim = await AppUser.open(server.url, 'webvictim');
    try {
      const probe = await registered('keyprobe');
      const { publicKey } = (await probe.client.request({ type: 'lookup', handle: 'webvictim' })) as Extract<ServerMessage, { type: 'lookup.result' }>;
      probe.client.close();
      const attackers = await Promise.all(['trudy0', 'trudy1', 'trudy2'].map((handle) => registered(handle)));
      const started = performance.now();
      const figures = await measured('invite+cancel flood from three accounts at a web client (at most 60 each, 8 s)', async () =>
        sum(await Promise.all(attackers.map((user) => inviteFlood(user, 'webvictim', fromBase64Url(publicKey!), 8000, 60)))),
      );
      const seconds = (performance.now() - started) / 1000;
      await victim.page.getByRole('tab', { name: /^History/ }).click();
      const entries = victim.page.getByRole('list', { name: 'Calls' }).getByRole('listitem');
      // Every ring the attackers cancelled and every call refused as busy lands there as missed.
      await expect.poll(() => entries.count(), { timeout: 10_000 }).toBe(figures.rang + figures.missed);
      const shown = await entries.allTextContents();
      console.log(
        `  the web client shows ${shown.length} calls from the flood in its history in ${seconds.toFixed(1)} s (limit ${DEFAULT_LIMITS.callsReceivedPerMinute} a minute)`,
      );
      expect(shown.every((text) => /^trudy\d — Incoming call, Missed/.test(text))).toBe(true);
      expect(shown.length).toBeGreaterThan(0);
      // Nothing is left ringing once the flood stops.
      expect(await victim.page.getByRole('heading', { name: /^Incoming (video )?call from/ }).count()).toBe(0);
      expect(shown.length).toBeLessThanOrEqual(DEFAULT_LIMITS.callsReceivedPerMinute + Math.ceil((DEFAULT_LIMITS.callsReceivedPerMinute * seconds) / 60));
      for (const user of attackers) user.client.close();
    } finally {
      await victim.close();
    }
  });

  it('refuses small-order and non-canonical identity keys with a constant signature, to register and to log in', async () => {
    const keys = {
      identity: '0100000000000000000000000000000000000000000000000000000000000000',
      'order 2': 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'order 4': '0000000000000000000000000000000000000000000000000000000000000000',
      'identity, non-canonical': 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    };
    const figures = await measured('small-order keys', async () => {
      const outcomes: string[] = [];
      const localAddress = freshAddress();
      for (const [name, hex] of Object.entries(keys)) {
        for (const register of [true, false]) {
          const key = Buffer.from(hex, 'hex');
          // R = the identity point, S = 0: a "signature" that a lax check accepts for a small-order key.
          const forged = toBase64Url(Buffer.concat([Buffer.from(keys.identity, 'hex'), Buffer.alloc(32)]));
          const intruder = Object.assign(new TestUser(`intruder${outcomes.length}`), { publicKey: toBase64Url(key) });
          intruder.signLogin = () => forged;
          const outcome = await intruder.connect(wsUrl, register, { localAddress }).then(
            () => 'accepted',
            (error: SignalingError) => error.code,
          );
          outcomes.push(`${name} ${register ? 'register' : 'login'}: ${outcome}`);
          intruder.client.close();
        }
      }
      return { outcomes };
    });
    expect(figures.outcomes).toHaveLength(8);
    for (const outcome of figures.outcomes) expect(outcome).toMatch(/: bad-key$/);
  });

  it('refuses a login signed for another server that relays this server’s challenge', async () => {
    // The victim has an account here and uses another server ("A"), whose operator passes this
    // server's challenge on to her and her signed answer back here, to log in as her.
    const victim = await registered('relayed');
    victim.client.close();
    const outcomes: Record<string, string> = {};
    for (const rewriteOrigin of [false, true]) {
      const relayAddress = freshAddress();
      const relay = http.createServer();
      const wss = new WebSocketServer({ server: relay, path: '/ws' });
      let sessions = 0;
      wss.on('connection', (client) => {
        const upstream = new WebSocket(wsUrl, { localAddress: relayAddress });
        const early: string[] = [];
        upstream.on('open', () => early.splice(0).forEach((text) => upstream.send(text)));
        upstream.on('message', (data) => {
          if ((JSON.parse(String(data)) as { type: string }).type === 'session') sessions += 1;
          client.send(String(data));
        });
        client.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; origin?: string };
          // The relay may also claim the login was meant for this server: then the signature fails.
          if (rewriteOrigin && message.type === 'login') message.origin = new URL(server.url).origin;
          const text = JSON.stringify(message);
          if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
          else early.push(text);
        });
        client.on('close', () => upstream.close());
        upstream.on('close', () => client.close());
        upstream.on('error', () => client.close());
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const relayUrl = `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/ws`;
      try {
        const viaRelay = new TestUser('relayed');
        Object.assign(viaRelay, { secret: victim.secret, publicKey: victim.publicKey });
        const outcome = await viaRelay.connect(relayUrl, false).then(
          () => 'logged in',
          (error: SignalingError) => `${error.code}: ${error.message}`,
        );
        viaRelay.client.close();
        outcomes[rewriteOrigin ? 'origin rewritten to this server' : 'as signed'] = outcome;
        expect(sessions).toBe(0);
      } finally {
        for (const client of wss.clients) client.terminate();
        wss.close();
        await new Promise<void>((resolve) => relay.close(() => resolve()));
      }
    }
    console.log(`a login relayed from another server: ${JSON.stringify(outcomes)}`);
    expect(outcomes['as signed']).toMatch(/^bad-signature: this login is for http:\/\/127\.0\.0\.1:\d+, not for this server$/);
    expect(outcomes['origin rewritten to this server']).toBe('bad-signature: the signature does not match the challenge and key');
    // Dialling this server herself, she logs in.
    const direct = new TestUser('relayed');
    Object.assign(direct, { secret: victim.secret, publicKey: victim.publicKey });
    await expect(direct.connect(wsUrl, false, { localAddress: freshAddress() })).resolves.toMatchObject({ type: 'session', handle: 'relayed' });
    direct.client.close();
  });

  it('refuses to start on a truncated accounts.db or recordings.db, saying which and why', async () => {
    // A second server on its own data folder, with one account; this file's server and pair go on.
    const second = await startTestServer({ janus: testbed as Exclude<typeof testbed, { skipReason: string }> });
    const dataDir = second.dataDir;
    const owner = new TestUser('owner');
    await owner.connect(`${second.url.replace(/^http/, 'ws')}ws`);
    owner.client.close();
    await second.stop();
    try {
      const figures = await measured('truncated databases', async () => {
        const refusals: Record<string, string> = {};
        for (const name of ['accounts.db', 'recordings.db']) {
          const file = join(dataDir, name);
          await copyFile(file, `${file}.good`);
          await truncate(file, 0);
          const started = performance.now();
          refusals[name] = await startTestServer({ janus: testbed as Exclude<typeof testbed, { skipReason: string }>, dataDir }).then(
            async (wrongly) => {
              await wrongly.stop();
              return 'it started';
            },
            (error: Error) =>
              `${error.message.split('\n')[0]} in ${(performance.now() - started).toFixed(0)} ms: ${error.message.split('\n').find((line) => line.includes(file)) ?? error.message}`,
          );
          await copyFile(`${file}.good`, file);
        }
        // With both restored it starts, with its account.
        const restored = await startTestServer({ janus: testbed as Exclude<typeof testbed, { skipReason: string }>, dataDir });
        const again = new TestUser('owner');
        Object.assign(again, { secret: owner.secret, publicKey: owner.publicKey });
        const session = await again.connect(`${restored.url.replace(/^http/, 'ws')}ws`, false);
        again.client.close();
        await restored.stop();
        return { refusals, afterRestoring: `logged in as ${session.handle}` };
      });
      for (const name of ['accounts.db', 'recordings.db']) {
        expect(figures.refusals[name]).toMatch(/^the server exited with 2/);
        expect(figures.refusals[name]).toContain(`${join(dataDir, name)} is empty (0 bytes), but this data folder was initialised`);
      }
      expect(figures.afterRestoring).toBe('logged in as owner');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a registration flood: 400 attempts from one address make 10 accounts; 200 from 20 addresses at most the overall limit', async () => {
    const started = performance.now();
    const attempt = async (handle: string, localAddress: string, tally: { registered: number; refused: number; other: string[] }) => {
      const user = new TestUser(handle);
      try {
        await user.connect(wsUrl, true, { localAddress });
        tally.registered += 1;
      } catch (error) {
        if ((error as SignalingError).code === 'rate-limited') tally.refused += 1;
        else tally.other.push((error as Error).message);
      } finally {
        user.client?.close();
      }
    };
    const figures = await measured('registration flood', async () => {
      const oneAddress = { registered: 0, refused: 0, other: [] as string[] };
      const localAddress = freshAddress();
      const until = performance.now() + 20_000;
      for (let batch = 0; batch < 40 && performance.now() < until; batch++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(`signup${batch}-${i}`, localAddress, oneAddress)));
      }
      const manyAddresses = { registered: 0, refused: 0, other: [] as string[] };
      for (let batch = 0; batch < 10 && performance.now() < until; batch++) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`crowd${batch}-${i}`, `127.0.40.${i + 1}`, manyAddresses)));
      }
      return { oneAddress, manyAddresses };
    });
    expect(figures.oneAddress).toEqual({
      registered: DEFAULT_LIMITS.registrationsPerAddressPerHour,
      refused: 400 - DEFAULT_LIMITS.registrationsPerAddressPerHour,
      other: [],
    });
    expect(figures.manyAddresses.other).toEqual([]);
    // The overall allowance: a minute's worth at once, then one a second.
    const seconds = (performance.now() - started) / 1000;
    expect(figures.manyAddresses.registered).toBeGreaterThan(0);
    expect(figures.manyAddresses.registered).toBeLessThanOrEqual(
      DEFAULT_LIMITS.registrationsPerMinute + Math.ceil((DEFAULT_LIMITS.registrationsPerMinute * seconds) / 60),
    );
  });
});
