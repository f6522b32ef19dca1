// The signaling server over a real loopback WebSocket with real signatures. Janus is replaced by
// a fake room in this unit test only (the end-to-end tests use the real one).
import http from 'node:http';
import { ed25519 } from '@noble/curves/ed25519.js';
import WebSocket from 'ws';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountStore } from './accounts';
import type { Limits } from './limits';
import type { RoomFactory } from './calls';
import { CloseCode, SignalingServer } from './signaling';
import { FakeRoom, rawLogin, silentLog, TestUser } from './testing/signalingFakes';
import { toBase64Url } from '../shared/encoding';
import { PROTOCOL_VERSION, loginChallengeBytes, type ServerMessage } from '../shared/protocol';
import { SignalingClient, SignalingError } from '../shared/signalingClient';

interface Harness {
  url: string;
  signaling: SignalingServer;
  rooms: { failNext: boolean };
  close(): Promise<void>;
}

const open: Harness[] = [];
let rooms: FakeRoom[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((harness) => harness.close()));
  rooms = [];
});

async function startHarness(
  overrides: Partial<{ ringTimeoutMs: number; reconnectGraceMs: number; accounts: AccountStore; limits: Partial<Limits>; publicOrigins: string[] }> = {},
): Promise<Harness> {
  const accounts = overrides.accounts ?? new AccountStore(':memory:');
  const state = { failNext: false };
  const roomFactory: RoomFactory = {
    async createRoom({ e2ee }) {
      if (state.failNext) throw new Error('Janus said no');
      const room = new FakeRoom(`room-${rooms.length}`, e2ee);
      rooms.push(room);
      return room;
    },
  };
  const signaling = new SignalingServer({
    accounts,
    rooms: roomFactory,
    log: silentLog,
    ringTimeoutMs: overrides.ringTimeoutMs ?? 10_000,
    connectTimeoutMs: 10_000,
    reconnectGraceMs: overrides.reconnectGraceMs ?? 10_000,
    ...(overrides.limits ? { limits: overrides.limits } : {}),
    publicOrigins: overrides.publicOrigins,
  });
  const server = http.createServer();
  server.on('upgrade', (request, socket, head) => signaling.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const harness: Harness = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    signaling,
    rooms: state,
    async close() {
      await signaling.close();
      server.close();
      accounts.close();
    },
  };
  open.push(harness);
  return harness;
}

/** A client connection and the server's challenge on it, before any login. */
async function challenged(url: string): Promise<{ client: SignalingClient; nonce: string }> {
  const socket = new WebSocket(url);
  const client = new SignalingClient(socket);
  const nonce = await new Promise<string>((resolve) => socket.once('message', (data) => resolve((JSON.parse(String(data)) as { nonce: string }).nonce)));
  return { client, nonce };
}

const callId = (n: number) => `call${String(n).padStart(18, '0')}`;
const decision = (role: 'caller' | 'callee', e2ee = true) => ({
  e2ee,
  role,
  handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256',
  issuedAt: 0,
  signature: 'S'.repeat(86),
});

async function twoUsers(harness: Harness) {
  const alice = new TestUser('alice');
  const bob = new TestUser('bob');
  await alice.connect(harness.url);
  await bob.connect(harness.url);
  return { alice, bob };
}

async function establish(alice: TestUser, bob: TestUser, id: string, e2ee = true) {
  await alice.client.request({ type: 'call.invite', callId: id, to: 'bob', video: false, decision: decision('caller', e2ee) });
  await bob.next('call.incoming');
  await bob.client.request({ type: 'call.accept', callId: id, decision: decision('callee', e2ee) });
  await alice.next('call.accepted');
  for (const user of [alice, bob]) {
    const answer = await user.client.request({ type: 'media.publish', callId: id, jsep: { type: 'offer', sdp: user.handle }, e2ee });
    expect(answer).toMatchObject({ type: 'media.answer', jsep: { type: 'answer', sdp: `answer-to:${user.handle}` } });
  }
  for (const user of [alice, bob]) {
    const offer = await user.next('media.subscribe-offer');
    expect(offer.jsep.sdp).toBe(`feed-of:${user === alice ? 'callee' : 'caller'}`);
    user.client.send({ type: 'media.subscribe-answer', callId: id, jsep: { type: 'answer', sdp: 'x' } });
  }
  await alice.next('call.active');
  await bob.next('call.active');
}

describe('login', () => {
  it('registers, then logs in again with the same key', async () => {
    const harness = await startHarness();
    const alice = new TestUser('alice');
    const session = await alice.connect(harness.url);
    expect(session).toMatchObject({ handle: 'alice', publicKey: alice.publicKey, activeCallId: null });
    alice.client.close();
    const again = await alice.connect(harness.url, false);
    expect(again.handle).toBe('alice');
  });

  it('refuses a bad signature, an unknown key and a taken handle', async () => {
    const harness = await startHarness();
    const alice = new TestUser('alice');
    await alice.connect(harness.url);
    const mallory = new TestUser('alice');
    await expect(mallory.connect(harness.url)).rejects.toMatchObject({ code: 'handle-taken' });
    const stranger = new TestUser('stranger');
    await expect(stranger.connect(harness.url, false)).rejects.toMatchObject({ code: 'unknown-account' });
    const forger = new TestUser('forger');
    forger.signLogin = ({ origin }) => toBase64Url(ed25519.sign(loginChallengeBytes(origin, 'wrong-nonce'), forger.secret));
    await expect(forger.connect(harness.url)).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it('refuses small-order and non-canonical keys, whatever they sign', async () => {
    const harness = await startHarness();
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    // A constant signature (R = the identity, S = 0) that lenient verification accepts for any challenge.
    const forged = new Uint8Array(64);
    forged.set(identityPoint);
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[0] = 0xee;
    nonCanonical[31] = 0x7f; // y = p + 1, the identity again
    for (const key of [identityPoint, nonCanonical]) {
      const intruder = Object.assign(new TestUser('intruder'), { publicKey: toBase64Url(key) });
      intruder.signLogin = () => toBase64Url(forged);
      await expect(intruder.connect(harness.url)).rejects.toMatchObject({ code: 'bad-key' });
      await expect(intruder.connect(harness.url, false)).rejects.toMatchObject({ code: 'bad-key' });
    }
  });

  it('refuses a login signed for another server’s origin: a server passing our challenge on gets nothing', async () => {
    const harness = await startHarness();
    const alice = new TestUser('alice');
    await alice.connect(harness.url);
    alice.client.close();
    // The user dialled evil.example, which relays our challenge: the signature is good, but for evil.example.
    const relayed = new TestUser('alice');
    Object.assign(relayed, { secret: alice.secret, publicKey: alice.publicKey });
    relayed.signLogin = ({ nonce }) => toBase64Url(ed25519.sign(loginChallengeBytes('https://evil.example', nonce), alice.secret));
    const { client, nonce } = await challenged(harness.url);
    const signature = relayed.signLogin({ nonce, origin: 'https://evil.example' });
    // Whether the relay names its own origin or ours, the login is refused.
    await expect(client.request({ type: 'login', publicKey: alice.publicKey, origin: 'https://evil.example', signature })).rejects.toMatchObject({
      code: 'bad-signature',
      message: expect.stringContaining('not for this server'),
    });
    const ours = harness.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    await expect(client.request({ type: 'login', publicKey: alice.publicKey, origin: ours, signature })).rejects.toMatchObject({ code: 'bad-signature' });
    // The same user dialling us directly logs in.
    await expect(alice.connect(harness.url, false)).resolves.toMatchObject({ handle: 'alice' });
  });

  it('with public origins configured, accepts logins for those only, whatever the Host header says', async () => {
    const harness = await startHarness({ publicOrigins: ['https://phone.example.org'] });
    const alice = new TestUser('alice');
    // Dialled as ws://127.0.0.1:port: that origin is not one of the server's public ones.
    await expect(alice.connect(harness.url)).rejects.toMatchObject({ code: 'bad-signature' });
    const viaName = new TestUser('alice');
    viaName.signLogin = ({ nonce }) => toBase64Url(ed25519.sign(loginChallengeBytes('https://phone.example.org', nonce), viaName.secret));
    const { client, nonce } = await challenged(harness.url);
    const signature = viaName.signLogin({ nonce, origin: 'https://phone.example.org' });
    await expect(
      client.request({ type: 'register', handle: 'alice', publicKey: viaName.publicKey, origin: 'https://phone.example.org', signature }),
    ).resolves.toMatchObject({ type: 'session', handle: 'alice' });
  });

  it('refuses a WebSocket from a page of another origin with 403; its own origin, the desktop app and native clients get in', async () => {
    const harness = await startHarness();
    const own = harness.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    const status = (origin: string | undefined) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(harness.url, origin === undefined ? {} : { origin });
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
    expect(await status('https://evil.example')).toBe(403);
    expect(await status('null')).toBe(403);
    expect(await status(own.replace('127.0.0.1', 'localhost'))).toBe(403);
    expect(await status(own)).toBe(101);
    expect(await status('app://softphone')).toBe(101);
    expect(await status(undefined)).toBe(101);
  });

  it('answers malformed and unauthenticated messages with an error and stays up', async () => {
    const harness = await startHarness();
    const socket = new WebSocket(harness.url);
    const replies: ServerMessage[] = [];
    const client = new SignalingClient(socket);
    client.onMessage((m) => replies.push(m));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('not json');
    socket.send(JSON.stringify({ v: 1, type: 'call.invite', callId: 'short' }));
    socket.send(JSON.stringify({ v: 9, type: 'ping' }));
    await expect(client.request({ type: 'lookup', handle: 'bob' })).rejects.toMatchObject({ code: 'not-authenticated' });
    expect(replies.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code)).toEqual([
      'bad-message',
      'bad-message',
      'unsupported-version',
      'not-authenticated',
    ]);
    await expect(client.request({ type: 'ping' })).resolves.toMatchObject({ type: 'pong' });
  });

  it('answers a deeply nested frame with a short error and keeps serving', async () => {
    const harness = await startHarness();
    const socket = new WebSocket(harness.url);
    const replies: ServerMessage[] = [];
    const client = new SignalingClient(socket);
    client.onMessage((m) => replies.push(m));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(`{"v":${'['.repeat(4000)}${']'.repeat(4000)}}`);
    socket.send(JSON.stringify({ v: 1, type: 'x'.repeat(50_000) }));
    await expect(client.request({ type: 'ping' })).resolves.toMatchObject({ type: 'pong' });
    const errors = replies.filter((m) => m.type === 'error');
    expect(errors.map((m) => m.type === 'error' && m.code)).toEqual(['bad-message', 'bad-message']);
    for (const error of errors) expect(error.type === 'error' && error.message.length).toBeLessThan(200);
  });

  it('closes only the connection whose request failed unexpectedly, and the server goes on', async () => {
    class FailingAccounts extends AccountStore {
      override byHandle(handle: string) {
        if (handle === 'boom') throw new TypeError('the database connection is not open');
        return super.byHandle(handle);
      }
    }
    const harness = await startHarness({ accounts: new FailingAccounts(':memory:') });
    const { alice, bob } = await twoUsers(harness);
    const closed = new Promise<number>((resolve) => alice.client.onClose(resolve));
    await expect(alice.client.request({ type: 'lookup', handle: 'boom' })).rejects.toMatchObject({ code: 'internal' });
    expect(await closed).toBe(1011);
    await expect(bob.client.request({ type: 'lookup', handle: 'alice' })).resolves.toMatchObject({ type: 'lookup.result', publicKey: alice.publicKey });
  });
});

describe('calls', () => {
  it('goes from invite to active to hang-up, and both sides get the reason', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await establish(alice, bob, callId(1));
    const room = rooms[0]!;
    expect(room.e2ee).toBe(true);
    bob.client.send({ type: 'e2ee.handshake', callId: callId(1), seq: 0, payload: 'abc' });
    expect(await alice.next('e2ee.handshake')).toMatchObject({ seq: 0, payload: 'abc' });
    alice.client.send({ type: 'call.hangup', callId: callId(1) });
    for (const user of [alice, bob]) {
      expect(await user.next('call.ended')).toMatchObject({ callId: callId(1), reason: 'hangup', by: 'alice' });
    }
    expect(room.destroyed).toBe(true);
    expect(harness.signaling.callService.liveCalls).toBe(0);
  });

  it('makes a standard room when either side has E2EE off, and relays no handshake there', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await alice.client.request({ type: 'call.invite', callId: callId(2), to: 'bob', video: true, decision: decision('caller', true) });
    await bob.next('call.incoming');
    await bob.client.request({ type: 'call.accept', callId: callId(2), decision: decision('callee', false) });
    expect(await alice.next('call.accepted')).toMatchObject({ roomE2ee: false, decision: { e2ee: false } });
    await expect(alice.client.request({ type: 'e2ee.handshake', callId: callId(2), seq: 0, payload: 'abc' })).rejects.toMatchObject({ code: 'not-allowed' });
  });

  it('refuses plain media in an E2EE room', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await alice.client.request({ type: 'call.invite', callId: callId(3), to: 'bob', video: false, decision: decision('caller') });
    await bob.next('call.incoming');
    await bob.client.request({ type: 'call.accept', callId: callId(3), decision: decision('callee') });
    await expect(alice.client.request({ type: 'media.publish', callId: callId(3), jsep: { type: 'offer', sdp: 'x' }, e2ee: false })).rejects.toMatchObject({
      code: 'not-allowed',
    });
  });

  it.each([
    ['decline', 'declined', 'bob'],
    ['cancel', 'cancelled', 'alice'],
  ] as const)('ends a ringing call on %s', async (action, reason, by) => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await alice.client.request({ type: 'call.invite', callId: callId(4), to: 'bob', video: false, decision: decision('caller') });
    const incoming = await bob.next('call.incoming');
    expect(incoming).toMatchObject({ from: 'alice', fromKey: alice.publicKey });
    (action === 'decline' ? bob : alice).client.send({ type: `call.${action}`, callId: callId(4) });
    for (const user of [alice, bob]) expect(await user.next('call.ended')).toMatchObject({ reason, by });
  });

  it('answers busy, offline, unknown-user and do-not-disturb without ringing', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    const carol = new TestUser('carol');
    await carol.connect(harness.url);
    carol.client.close();
    const dave = new TestUser('dave');
    await dave.connect(harness.url);

    const invite = (user: TestUser, n: number, to: string) =>
      user.client.request({ type: 'call.invite', callId: callId(n), to, video: false, decision: decision('caller') });
    expect(await invite(alice, 10, 'carol')).toMatchObject({ type: 'call.ended', reason: 'offline' });
    expect(await invite(alice, 11, 'nobody')).toMatchObject({ type: 'call.ended', reason: 'unknown-user' });
    await bob.client.request({ type: 'presence.set', status: 'dnd' });
    expect(await invite(alice, 12, 'bob')).toMatchObject({ type: 'call.ended', reason: 'dnd' });
    await bob.client.request({ type: 'presence.set', status: 'available' });
    await invite(alice, 13, 'bob');
    expect(await invite(dave, 14, 'bob')).toMatchObject({ type: 'call.ended', reason: 'busy' });
    await expect(invite(alice, 15, 'dave')).rejects.toMatchObject({ code: 'not-allowed' });
  });

  it('tells a callee it was not rung (do-not-disturb, busy) so its history shows the missed call', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    const carol = new TestUser('carol');
    await carol.connect(harness.url);
    await bob.client.request({ type: 'presence.set', status: 'dnd' });
    await alice.client.request({ type: 'call.invite', callId: callId(20), to: 'bob', video: true, decision: decision('caller') });
    expect(await bob.next('call.missed')).toMatchObject({ callId: callId(20), from: 'alice', video: true, reason: 'dnd' });
    await bob.client.request({ type: 'presence.set', status: 'available' });
    await alice.client.request({ type: 'call.invite', callId: callId(21), to: 'bob', video: false, decision: decision('caller') });
    await bob.next('call.incoming');
    await carol.client.request({ type: 'call.invite', callId: callId(22), to: 'bob', video: false, decision: decision('caller') });
    expect(await bob.next('call.missed')).toMatchObject({ callId: callId(22), from: 'carol', reason: 'busy' });
    expect(bob.inbox.filter((m) => m.type === 'call.incoming')).toHaveLength(0);
  });

  it('ends a call that one side cannot carry on (its media failed), with the reason for both', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await establish(alice, bob, callId(24));
    bob.client.send({ type: 'call.fail', callId: callId(24), reason: 'failed' });
    for (const user of [alice, bob]) expect(await user.next('call.ended')).toMatchObject({ reason: 'failed', by: 'bob' });
  });

  it('relays hold and resume to the other party, only in an accepted call', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await alice.client.request({ type: 'call.invite', callId: callId(23), to: 'bob', video: false, decision: decision('caller') });
    await bob.next('call.incoming');
    await expect(alice.client.request({ type: 'call.hold', callId: callId(23), onHold: true })).rejects.toMatchObject({ code: 'not-allowed' });
    await bob.client.request({ type: 'call.accept', callId: callId(23), decision: decision('callee') });
    alice.client.send({ type: 'call.hold', callId: callId(23), onHold: true });
    expect(await bob.next('call.hold')).toMatchObject({ callId: callId(23), onHold: true, by: 'alice' });
    alice.client.send({ type: 'call.hold', callId: callId(23), onHold: false });
    expect(await bob.next('call.hold')).toMatchObject({ onHold: false, by: 'alice' });
  });

  it('ends an unanswered call with no-answer', async () => {
    const harness = await startHarness({ ringTimeoutMs: 100 });
    const { alice, bob } = await twoUsers(harness);
    await alice.client.request({ type: 'call.invite', callId: callId(5), to: 'bob', video: false, decision: decision('caller') });
    for (const user of [alice, bob]) expect(await user.next('call.ended')).toMatchObject({ reason: 'no-answer' });
  });

  it('ends the call when the media room cannot be made', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    harness.rooms.failNext = true;
    await alice.client.request({ type: 'call.invite', callId: callId(6), to: 'bob', video: false, decision: decision('caller') });
    await bob.next('call.incoming');
    bob.client.send({ type: 'call.accept', callId: callId(6), decision: decision('callee') });
    for (const user of [alice, bob]) expect(await user.next('call.ended')).toMatchObject({ reason: 'failed' });
  });

  it('keeps a call through a reconnect within the grace period, and ends it after', async () => {
    const harness = await startHarness({ reconnectGraceMs: 300 });
    const { alice, bob } = await twoUsers(harness);
    await establish(alice, bob, callId(7));
    bob.client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const session = await bob.connect(harness.url, false);
    expect(session.activeCallId).toBe(callId(7));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(harness.signaling.callService.liveCalls).toBe(1);

    bob.client.close();
    expect(await alice.next('call.ended')).toMatchObject({ reason: 'disconnected', by: 'bob' });
    expect(rooms[0]!.destroyed).toBe(true);
  });

  it('refuses requests about someone else’s call', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    const eve = new TestUser('eve');
    await eve.connect(harness.url);
    await alice.client.request({ type: 'call.invite', callId: callId(8), to: 'bob', video: false, decision: decision('caller') });
    await bob.next('call.incoming');
    const error = await eve.client.request({ type: 'call.hangup', callId: callId(8) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({ code: 'no-such-call' });
    await expect(alice.client.request({ type: 'call.accept', callId: callId(8), decision: decision('callee') })).rejects.toMatchObject({
      code: 'not-allowed',
    });
  });
});

describe('presence', () => {
  it('pushes status changes to watchers that the handle watches too, and nothing but offline to a stranger', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    const mallory = new TestUser('mallory');
    await mallory.connect(harness.url);
    await mallory.client.request({ type: 'presence.watch', handles: ['bob'] });
    expect(await mallory.next('presence')).toMatchObject({ handle: 'bob', status: 'offline' });
    await bob.client.request({ type: 'presence.watch', handles: ['alice'] });
    await alice.client.request({ type: 'presence.watch', handles: ['bob'] });
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'available' });
    await bob.client.request({ type: 'presence.set', status: 'dnd' });
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'dnd' });
    bob.client.close();
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'offline' });
    // A lookup gives the stranger the key, and nothing about presence.
    expect(await mallory.client.request({ type: 'lookup', handle: 'bob' })).toEqual({
      v: 1,
      type: 'lookup.result',
      re: expect.any(Number),
      handle: 'bob',
      publicKey: bob.publicKey,
    });
    expect(mallory.received('presence')).toEqual([]);
  });

  it('shows presence as soon as both watch each other, whoever watched first, and takes it away when one stops', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await bob.client.request({ type: 'presence.watch', handles: ['alice'] });
    expect(await bob.next('presence')).toMatchObject({ handle: 'alice', status: 'offline' });
    await alice.client.request({ type: 'presence.watch', handles: ['bob'] });
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'available' });
    expect(await bob.next('presence')).toMatchObject({ handle: 'alice', status: 'available' });
    // alice takes bob off her contacts: bob is told she is offline, though she is still connected.
    await alice.client.request({ type: 'presence.watch', handles: [] });
    expect(await bob.next('presence')).toMatchObject({ handle: 'alice', status: 'offline' });
  });

  it('sends a connection that replaces another every status of its watch list again', async () => {
    const harness = await startHarness();
    const { alice, bob } = await twoUsers(harness);
    await bob.client.request({ type: 'presence.watch', handles: ['alice'] });
    await alice.client.request({ type: 'presence.watch', handles: ['bob'] });
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'available' });
    // The app reloads: its new login can reach the server before the old connection's close.
    await alice.connect(harness.url, false);
    await alice.client.request({ type: 'presence.watch', handles: ['bob'] });
    expect(await alice.next('presence')).toMatchObject({ handle: 'bob', status: 'available' });
  });

  it('closes a connection that stops reading once its unsent data passes the bound, and sends a repeated watch list nothing', async () => {
    const harness = await startHarness();
    const { alice } = await twoUsers(harness);
    const listA = Array.from({ length: 500 }, (_, i) => `watched-a${i}`);
    const listB = Array.from({ length: 500 }, (_, i) => `watched-b${i}`);
    await alice.client.request({ type: 'presence.watch', handles: listA });
    const before = alice.received('presence').length;
    await alice.client.request({ type: 'presence.watch', handles: listA });
    expect(alice.received('presence').length).toBe(before);

    // A second connection as alice (it replaces the first) that parses nothing and stops reading.
    const socket = await rawLogin(harness.url, alice);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    // Each switch between the lists makes the server send 500 statuses (about 35 KB) that are never
    // read: 200 switches (7 MB) pass what the kernel's socket buffers take (about 4 MB on loopback)
    // and the 1 MB bound. The first 100 go at once (the per-connection burst), the rest within its rate.
    for (let i = 0; i < 200; i++) {
      socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'presence.watch', handles: i % 2 === 0 ? listB : listA }));
      if (i >= 100 && i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 220));
    }
    tcp.resume();
    expect(await closed).toBe(CloseCode.tooSlow);
  });
});

describe('limits across connections and accounts', () => {
  const invite = (user: TestUser, n: number, to: string) =>
    user.client.request({ type: 'call.invite', callId: callId(n), to, video: false, decision: decision('caller') });

  it('lets one caller’s invite-and-cancel loop ring the callee only a few times, and tells the caller why', async () => {
    const harness = await startHarness({ limits: { callsPerMinute: 1000, callsToOnePerMinute: 3 } });
    const { alice, bob } = await twoUsers(harness);
    const refused: unknown[] = [];
    for (let n = 100; n < 140; n++) {
      try {
        await invite(alice, n, 'bob');
        alice.client.send({ type: 'call.cancel', callId: callId(n) });
        await alice.next('call.ended');
      } catch (error) {
        refused.push(error);
      }
    }
    await alice.client.request({ type: 'ping' });
    await bob.client.request({ type: 'ping' });
    expect(bob.received('call.incoming')).toHaveLength(3);
    expect(refused).toHaveLength(37);
    expect(refused[0]).toMatchObject({ code: 'rate-limited', message: expect.stringMatching(/^Too many calls to bob: try again in \d+ seconds$/) });
  });

  it('caps what many callers together make ring or miss at one callee, and refused invites leave no missed call', async () => {
    const harness = await startHarness({ limits: { callsToOnePerMinute: 3, callsReceivedPerMinute: 5 } });
    const bob = new TestUser('bob');
    await bob.connect(harness.url);
    await bob.client.request({ type: 'presence.set', status: 'dnd' });
    const callers = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const user = new TestUser(`mallory${i}`);
        await user.connect(harness.url);
        return user;
      }),
    );
    const outcomes = await Promise.all(
      callers.flatMap((user, i) =>
        Array.from({ length: 10 }, (_, k) =>
          invite(user, 200 + i * 10 + k, 'bob').then(
            (answer) => answer.type,
            (error: SignalingError) => error.code,
          ),
        ),
      ),
    );
    await bob.client.request({ type: 'ping' });
    // Do-not-disturb holds: nothing rings, and at most the limit shows up as missed.
    expect(bob.received('call.incoming')).toHaveLength(0);
    expect(bob.received('call.missed')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'call.ended')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'rate-limited')).toHaveLength(85);
  });

  it('counts every invite an account places, wherever it goes', async () => {
    const harness = await startHarness({ limits: { callsPerMinute: 4 } });
    const { alice } = await twoUsers(harness);
    for (let n = 300; n < 304; n++) expect(await invite(alice, n, `nobody${n}`)).toMatchObject({ reason: 'unknown-user' });
    await expect(invite(alice, 304, 'nobody')).rejects.toMatchObject({ code: 'rate-limited', message: expect.stringMatching(/^Too many calls from you/) });
  });

  it('limits new accounts and logins per address', async () => {
    const harness = await startHarness({ limits: { registrationsPerAddressPerHour: 3, loginsPerAddressPerMinute: 6 } });
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      const user = new TestUser(`flood${i}`);
      results.push(
        await user.connect(harness.url).then(
          () => 'registered',
          (error: SignalingError) => error.code,
        ),
      );
      user.client.close();
    }
    expect(results).toEqual(['registered', 'registered', 'registered', 'rate-limited', 'rate-limited', 'rate-limited']);
    // Six attempts used the six logins a minute this address has: a known account waits too.
    await expect(new TestUser('flood9').connect(harness.url)).rejects.toMatchObject({
      code: 'rate-limited',
      message: expect.stringMatching(/^Too many logins from this address/),
    });
  });

  it('refuses connections past the count not logged in from one address, and takes them again after a login', async () => {
    const harness = await startHarness({ limits: { pendingPerAddress: 3 } });
    const status = (socket: WebSocket) =>
      new Promise<number>((resolve) => {
        socket.once('open', () => resolve(101));
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
    const idle = [new WebSocket(harness.url), new WebSocket(harness.url)];
    expect(await Promise.all(idle.map(status))).toEqual([101, 101]);
    const alice = new TestUser('alice');
    await alice.connect(harness.url);
    const third = new WebSocket(harness.url);
    expect(await status(third)).toBe(101);
    expect(await status(new WebSocket(harness.url))).toBe(503);
    third.close();
    await new Promise((resolve) => third.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await status(new WebSocket(harness.url))).toBe(101);
    for (const socket of idle) socket.close();
  });

  it('limits messages per account across its connections', async () => {
    const harness = await startHarness({ limits: { messagesPerSecond: 5 } });
    const { alice } = await twoUsers(harness);
    const lookups = () =>
      Promise.all(
        Array.from({ length: 6 }, () =>
          alice.client.request({ type: 'lookup', handle: 'bob' }).then(
            () => 'ok',
            (error: SignalingError) => error.code,
          ),
        ),
      );
    expect(await lookups()).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    alice.client.close();
    await alice.connect(harness.url, false);
    const second = await lookups();
    expect(second.filter((outcome) => outcome === 'rate-limited').length).toBeGreaterThanOrEqual(1);
    expect(second[0]).toBe('ok');
  });
});
