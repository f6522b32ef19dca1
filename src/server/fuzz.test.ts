// Property-based fuzzing of the signaling protocol (fast-check) over real loopback WebSockets
// against the signaling server with its real account store; Janus is replaced by a fake room in
// this unit test. Valid, mutated and hostile messages — deep nesting, huge strings, wrong types,
// unicode, prototype keys — each get an answer (an error names what was wrong in a few words),
// the server stays up, and a legitimate pair keeps logging in, looking up and calling throughout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from './accounts';
import type { RoomFactory } from './calls';
import { SignalingServer } from './signaling';
import { FakeRoom, silentLog, TestUser } from './testing/signalingFakes';
import { CALL_HANDSHAKE_SUITE } from '../shared/e2ee/handshake';
import { ClientMessage, ErrorCode, MAX_MESSAGE_BYTES } from '../shared/protocol';

/** The whole run stops sending after this long (and after MAX_MESSAGES). */
const TIME_LIMIT_MS = 30_000;
const MAX_MESSAGES = 3000;

let url: string;
let accounts: AccountStore;
let signaling: SignalingServer;
let server: http.Server;
/** What the server logged as errors: an unexpected failure is a finding. */
const serverErrors: string[] = [];

beforeAll(async () => {
  accounts = new AccountStore(':memory:');
  let roomCount = 0;
  const rooms: RoomFactory = { createRoom: async ({ e2ee }) => new FakeRoom(`room-${(roomCount += 1)}`, e2ee) };
  // The limits across connections and accounts have their own tests; here they are wide open so
  // every message reaches the parser and the legitimate pair is never refused for its pace.
  const open = 1_000_000;
  const limits = {
    pendingPerAddress: 1000,
    loginsPerAddressPerMinute: open,
    loginsPerMinute: open,
    registrationsPerAddressPerHour: open,
    registrationsPerMinute: open,
    callsPerMinute: open,
    callsToOnePerMinute: open,
    callsReceivedPerMinute: open,
    messagesPerSecond: open,
  };
  signaling = new SignalingServer({
    accounts,
    rooms,
    limits,
    log: { ...silentLog, error: (msg) => serverErrors.push(msg) },
    ringTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    reconnectGraceMs: 1000,
  });
  server = http.createServer();
  server.on('upgrade', (request, socket, head) => signaling.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
});

afterAll(async () => {
  await signaling.close();
  server.close();
  accounts.close();
});

// ---- generators ---------------------------------------------------------------------------------

const b64 = (chars: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${chars}}$`));
const handle = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{1,12}[a-z0-9]$/);
const callId = b64(22);
const decision = fc.record({
  e2ee: fc.boolean(),
  role: fc.constantFrom('caller', 'callee'),
  handshake: fc.constant(CALL_HANDSHAKE_SUITE),
  issuedAt: fc.nat(),
  signature: b64(86),
});

/** Messages that parse: every request type an attacker could send. */
const valid: fc.Arbitrary<Record<string, unknown>> = fc
  .oneof(
    fc.record({ type: fc.constant('ping') }),
    fc.record({ type: fc.constant('lookup'), handle }),
    fc.record({ type: fc.constant('presence.watch'), handles: fc.array(handle, { maxLength: 20 }) }),
    fc.record({ type: fc.constant('presence.set'), status: fc.constantFrom('available', 'dnd') }),
    fc.record({ type: fc.constant('register'), handle, publicKey: b64(43), signature: b64(86) }),
    fc.record({ type: fc.constant('login'), publicKey: b64(43), signature: b64(86) }),
    fc.record({ type: fc.constant('call.invite'), callId, to: handle, video: fc.boolean(), decision }),
    fc.record({ type: fc.constant('call.accept'), callId, decision }),
    fc.record({ type: fc.constantFrom('call.decline', 'call.cancel', 'call.hangup', 'recording.stop', 'transcription.stop'), callId }),
    fc.record({ type: fc.constant('call.hold'), callId, onHold: fc.boolean() }),
    fc.record({ type: fc.constant('e2ee.handshake'), callId, seq: fc.integer({ min: 0, max: 7 }), payload: fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/) }),
    fc.record({ type: fc.constant('media.trickle'), callId, leg: fc.constantFrom('publisher', 'subscriber'), candidate: fc.constant(null) }),
    fc.record({ type: fc.constant('recordings.list') }),
  )
  .map((body) => ({ v: 1, ...body }));

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer({ min: 1000, max: 40_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(-1, 1.5, 2 ** 53, -0, 1e308, true, null, [], {}),
);

/** A valid message with one field removed, replaced by a hostile value, or a prototype key added. */
const mutated = fc
  .tuple(valid, fc.nat(), fc.constantFrom('drop', 'replace', 'prototype-key'), hostileValue, fc.constantFrom(...PROTOTYPE_KEYS))
  .map(([message, pick, how, value, key]) => {
    const keys = Object.keys(message);
    const target = keys[pick % keys.length] ?? 'type';
    const copy = Object.fromEntries(Object.entries(message).filter(([key]) => how !== 'drop' || key !== target));
    if (how === 'replace') copy[target] = value;
    return how === 'prototype-key' ? JSON.stringify(copy).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value ?? null)},`) : JSON.stringify(copy);
  });

const nested = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
/** Text no honest client sends. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 100, max: 8000 }).map((depth) => `{"v":${nested(depth, '[', ']')}}`),
  fc.integer({ min: 100, max: 5000 }).map((depth) => `{"v":1,"type":"lookup","handle":${nested(depth, '{"a":', '}')}}`),
  fc.integer({ min: 100, max: 8000 }).map((depth) => nested(depth, '[', ']')),
  fc.integer({ min: 1000, max: MAX_MESSAGE_BYTES - 100 }).map((n) => `{"v":1,"type":"${'t'.repeat(n)}"}`),
  fc.string({ unit: 'grapheme', maxLength: 500 }),
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.constantFrom('null', '[]', '1', '"ping"', '{}', '{"v":1}', '{"type":"ping"}', '{"v":"1","type":"ping"}', '{"v":1,"type":"ping","id":-1}'),
  fc.constantFrom(...PROTOTYPE_KEYS).map((key) => `{"v":1,"${key}":{"type":"login","v":1},"type":"${key}"}`),
  fc.anything({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? 'undefined'),
);

const anyMessage: fc.Arbitrary<string> = fc.oneof(
  valid.map((message) => JSON.stringify(message)),
  mutated,
  hostile,
);

// ---- the attacker's connection ------------------------------------------------------------------

type Reply = { kind: 'message'; type: string; code?: string; message?: string } | { kind: 'closed'; code: number };

/** One unauthenticated connection: sends one message at a time and waits for its answer. */
class Attacker {
  private socket: WebSocket | null = null;
  private replies: Reply[] = [];
  private waiter: ((reply: Reply) => void) | null = null;
  connections = 0;

  async send(text: string): Promise<Reply> {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) await this.open();
    this.socket!.send(text);
    return this.next();
  }

  close(): void {
    this.socket?.close();
  }

  private async open(): Promise<void> {
    this.connections += 1;
    this.replies = [];
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('message', (data) => this.socket === socket && this.push({ kind: 'message', ...(JSON.parse(String(data)) as { type: string }) }));
    socket.on('close', (code) => this.socket === socket && this.push({ kind: 'closed', code }));
    socket.on('error', () => undefined);
    const challenge = await this.next();
    expect(challenge).toMatchObject({ kind: 'message', type: 'challenge' });
  }

  private push(reply: Reply): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter(reply);
    } else this.replies.push(reply);
  }

  private next(): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3000);
      this.waiter = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }
}

// ---- the legitimate pair ------------------------------------------------------------------------

/** alice and bob log in again, look each other up and make a call, over and over, until stopped. */
function legitimatePairLoop(): { stop: () => Promise<{ rounds: number }> } {
  let running = true;
  let rounds = 0;
  const loop = (async () => {
    const alice = new TestUser('fuzz-alice');
    const bob = new TestUser('fuzz-bob');
    await alice.connect(url);
    await bob.connect(url);
    const sign = (role: 'caller' | 'callee') => ({ e2ee: false, role, handshake: CALL_HANDSHAKE_SUITE, issuedAt: Date.now(), signature: 'S'.repeat(86) });
    while (running) {
      const id = `fuzz${String(rounds).padStart(18, '0')}`;
      await expect(alice.client.request({ type: 'lookup', handle: 'fuzz-bob' })).resolves.toMatchObject({ publicKey: bob.publicKey });
      await alice.client.request({ type: 'call.invite', callId: id, to: 'fuzz-bob', video: false, decision: sign('caller') });
      await bob.next('call.incoming');
      await bob.client.request({ type: 'call.accept', callId: id, decision: sign('callee') });
      await alice.next('call.accepted');
      alice.client.send({ type: 'call.hangup', callId: id });
      await alice.next('call.ended');
      await bob.next('call.ended');
      rounds += 1;
      // At a person's pace, well under the per-connection message rate.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (rounds % 5 === 0) {
        // And log in again on a fresh connection.
        alice.client.close();
        await alice.connect(url, false);
      }
    }
    alice.client.close();
    bob.client.close();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { rounds };
    },
  };
}

// ---- the property -------------------------------------------------------------------------------

const CLOSE_CODES = new Set([4000, 4002, 1009]);

describe('protocol fuzzing', () => {
  it('answers every valid, mutated and hostile message and keeps serving a legitimate pair', async () => {
    const attacker = new Attacker();
    const pair = legitimatePairLoop();
    const started = Date.now();
    let sent = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(anyMessage, async (text) => {
        if (Date.now() - started > TIME_LIMIT_MS) return;
        sent += 1;
        const reply = await attacker.send(text);
        const label = reply.kind === 'closed' ? `closed ${reply.code}` : reply.type === 'error' ? reply.code! : reply.type;
        codes.set(label, (codes.get(label) ?? 0) + 1);
        if (reply.kind === 'closed') {
          expect(CLOSE_CODES).toContain(reply.code);
          return;
        }
        if (reply.type === 'error') {
          expect(ErrorCode.options).toContain(reply.code);
          expect(reply.message!.length).toBeLessThanOrEqual(200);
        } else {
          // Only a message that parses gets anything but an error.
          expect(ClientMessage.safeParse(JSON.parse(text)).success).toBe(true);
        }
      }),
      { numRuns: MAX_MESSAGES, interruptAfterTimeLimit: TIME_LIMIT_MS + 5000 },
    );
    attacker.close();
    const { rounds } = await pair.stop();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz: ${sent} messages in ${seconds.toFixed(1)} s over ${attacker.connections} connections; answers: ${[...codes].map(([code, n]) => `${code} ${n}`).join(', ')}; the legitimate pair made ${rounds} calls meanwhile`,
    );
    expect(serverErrors).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(rounds).toBeGreaterThan(0);
  }, 60_000);
});
