import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { E2eeStep, type FrameKeysMessage } from '../bridge';
import { CallFrameCrypto } from '../crypto/frameCrypto';
import { seedSigner } from '../crypto/identitySigner';
import { fromBase64Url, toBase64Url } from '../encoding';
import { type E2eeDecision, loginChallengeBytes } from '../protocol';
import { verifyCaptureStatement } from '../recordingPolicy';
import { DEFAULT_SETTINGS, type Settings } from '../settings';
import { CallSecurity, type TrustStore } from './callSecurity';
import { signDecision } from './decision';

class MemoryTrustStore implements TrustStore {
  readonly contacts = new Map<string, { publicKey: string; verified: boolean }>();
  readonly changedKeys = new Map<string, string>();
  async get(handle: string) {
    const entry = this.contacts.get(handle);
    return entry ? { ...entry } : null;
  }
  async pin(handle: string, publicKey: string) {
    this.contacts.set(handle, { publicKey, verified: false });
  }
  async markVerified(handle: string, publicKey: string) {
    this.contacts.set(handle, { publicKey, verified: true });
  }
  async sawChangedKey(handle: string, publicKey: string) {
    this.changedKeys.set(handle, publicKey);
  }
}

interface Device {
  handle: string;
  publicKey: string;
  security: CallSecurity;
  trust: MemoryTrustStore;
  settings: Settings;
  delivered: FrameKeysMessage[];
}

function device(handle: string, fill: number, e2ee = true): Device {
  const seed = new Uint8Array(32).fill(fill);
  const trust = new MemoryTrustStore();
  const delivered: FrameKeysMessage[] = [];
  const d: Device = {
    handle,
    publicKey: toBase64Url(ed25519.getPublicKey(seed)),
    trust,
    settings: { ...DEFAULT_SETTINGS, e2ee },
    delivered,
    security: new CallSecurity({
      identity: seedSigner(seed),
      getSettings: () => d.settings,
      trust,
      deliverKeys: (keys) => delivered.push(keys),
    }),
  };
  return d;
}

let callCounter = 0;
const newCallId = (): string => `call${String(callCounter++).padStart(18, '0')}`;

/** Prepares both sides; returns their decisions. */
async function prepare(caller: Device, callee: Device, callId: string): Promise<{ callerDecision: E2eeDecision; calleeDecision: E2eeDecision }> {
  const a = await caller.security.prepare({ callId, role: 'caller', peerHandle: callee.handle, peerKey: callee.publicKey });
  const b = await callee.security.prepare({ callId, role: 'callee', peerHandle: caller.handle, peerKey: caller.publicKey });
  return { callerDecision: a.decision, calleeDecision: b.decision };
}

/** Runs a whole call setup the way the renderers and the server relay it. */
async function connect(caller: Device, callee: Device, callId = newCallId()): Promise<{ caller: E2eeStep; callee: E2eeStep }> {
  const { callerDecision, calleeDecision } = await prepare(caller, callee, callId);
  let callerStep = caller.security.begin({ callId, peerDecision: calleeDecision });
  let calleeStep = callee.security.begin({ callId, peerDecision: callerDecision });
  for (let turn = 0; turn < 4 && (callerStep.send || calleeStep.send); turn++) {
    if (callerStep.send) {
      const message = callerStep.send;
      callerStep = { ...callerStep, send: null };
      calleeStep = callee.security.receive({ callId, message });
    } else if (calleeStep.send) {
      const message = calleeStep.send;
      calleeStep = { ...calleeStep, send: null };
      callerStep = caller.security.receive({ callId, message });
    }
  }
  return { caller: callerStep, callee: calleeStep };
}

describe('CallSecurity', () => {
  it('completes an end-to-end encrypted call: same code, paired keys, media flows', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { callerDecision, calleeDecision } = await prepare(alice, bob, callId);
    expect(alice.security.activeCall()).toEqual({ callId, e2ee: 'pending' });

    const first = alice.security.begin({ callId, peerDecision: calleeDecision });
    expect(E2eeStep.parse(first)).toEqual(first);
    expect(first).toMatchObject({ status: { state: 'handshaking' }, send: { seq: 0 } });
    // Both decisions asked for E2EE: the recording policy counts the call as end-to-end encrypted.
    expect(alice.security.activeCall()).toEqual({ callId, e2ee: 'active' });
    expect(bob.security.begin({ callId, peerDecision: callerDecision })).toEqual({ status: { state: 'handshaking' }, send: null });

    const second = bob.security.receive({ callId, message: first.send as NonNullable<E2eeStep['send']> });
    expect(second).toMatchObject({ status: { state: 'handshaking' }, send: { seq: 1 } });
    const third = alice.security.receive({ callId, message: second.send as NonNullable<E2eeStep['send']> });
    expect(third).toMatchObject({ status: { state: 'established', peerTrust: 'new' }, send: { seq: 2 } });
    const done = bob.security.receive({ callId, message: third.send as NonNullable<E2eeStep['send']> });
    expect(done).toMatchObject({ status: { state: 'established', peerTrust: 'new' }, send: null });
    for (const step of [first, second, third, done]) expect(E2eeStep.parse(step)).toEqual(step);

    const code = (step: E2eeStep) => (step.status.state === 'established' ? step.status.securityCode : null);
    expect(code(third)).toMatch(/^\d{20}$/);
    expect(code(third)).toBe(code(done));
    expect(alice.security.activeCall()).toEqual({ callId, e2ee: 'active' });

    const [aliceKeys] = alice.delivered;
    const [bobKeys] = bob.delivered;
    expect(aliceKeys).toMatchObject({ type: 'frame-keys', callId, localSender: 0 });
    expect(bobKeys).toMatchObject({ type: 'frame-keys', callId, localSender: 1 });
    const aliceFrames = new CallFrameCrypto(aliceKeys as FrameKeysMessage);
    const bobFrames = new CallFrameCrypto(bobKeys as FrameKeysMessage);
    const audio = Uint8Array.of(1, 2, 3, 4);
    expect(await bobFrames.decrypt(await aliceFrames.encrypt(audio))).toEqual({ ok: true, plaintext: audio });
    expect(await aliceFrames.decrypt(await bobFrames.encrypt(audio))).toEqual({ ok: true, plaintext: audio });

    // No step carries key material.
    const everything = JSON.stringify([first, second, third, done]);
    for (const key of [aliceKeys?.sendBaseKey, aliceKeys?.receiveBaseKey]) expect(everything).not.toContain(toBase64Url(key as Uint8Array));
  });

  it.each([
    [true, false, 'peer-off', 'local-off'],
    [false, true, 'local-off', 'peer-off'],
    [false, false, 'both-off', 'both-off'],
  ] as const)('caller %s, callee %s: standard encryption, %s / %s', async (callerOn, calleeOn, callerReason, calleeReason) => {
    const alice = device('alice', 1, callerOn);
    const bob = device('bob', 2, calleeOn);
    const callId = newCallId();
    const result = await connect(alice, bob, callId);
    expect(result.caller).toEqual({ status: { state: 'standard', reason: callerReason }, send: null });
    expect(result.callee).toEqual({ status: { state: 'standard', reason: calleeReason }, send: null });
    expect(alice.security.activeCall()).toEqual({ callId, e2ee: 'off' });
    expect(alice.delivered).toHaveLength(0);
  });

  it('takes the local decision from the setting at prepare time', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { callerDecision } = await prepare(alice, bob, callId);
    expect(callerDecision.e2ee).toBe(true);
    alice.settings = { ...alice.settings, e2ee: false };
    const { callerDecision: later } = await prepare(alice, bob, newCallId());
    expect(later.e2ee).toBe(false);
  });

  it('fails (never falls back to standard) when a server flips a decision', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { callerDecision, calleeDecision } = await prepare(alice, bob, callId);
    const aliceStep = alice.security.begin({ callId, peerDecision: { ...calleeDecision, e2ee: false } });
    expect(aliceStep.status).toMatchObject({ state: 'failed', reason: /could not be verified/ });
    expect(aliceStep.send).toBeNull();
    expect(alice.security.activeCall()).toEqual({ callId, e2ee: 'failed' });
    const bobStep = bob.security.begin({ callId, peerDecision: { ...callerDecision, role: 'callee' } });
    expect(bobStep.status).toMatchObject({ state: 'failed', reason: /signed as the callee/ });
  });

  it('never falls back to a handshake without the KEM: an altered or a classical suite fails', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { callerDecision, calleeDecision } = await prepare(alice, bob, callId);
    expect(callerDecision.handshake).toBe('Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256');
    // A relay rewrites the suite Bob signed: the signature no longer matches.
    const altered = alice.security.begin({ callId, peerDecision: { ...calleeDecision, handshake: 'Noise_XX_25519_AESGCM_SHA256' } });
    expect(altered).toEqual({ status: { state: 'failed', reason: expect.stringMatching(/could not be verified .*handshake/) as unknown }, send: null });
    // Bob really signed the classical suite (an app without the hybrid): refused, not run.
    const classical = signDecision(new Uint8Array(32).fill(1), {
      callId,
      role: 'caller',
      e2ee: true,
      signerKey: fromBase64Url(alice.publicKey),
      peerKey: fromBase64Url(bob.publicKey),
      handshake: 'Noise_XX_25519_AESGCM_SHA256',
      issuedAt: Date.now(),
    });
    const bobStep = bob.security.begin({ callId, peerDecision: classical });
    expect(bobStep.send).toBeNull();
    expect(bobStep.status).toEqual({
      state: 'failed',
      reason: "The caller's decision names the handshake Noise_XX_25519_AESGCM_SHA256, but this app runs only Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256.",
    });
  });

  it('fails on a decision replayed from another call', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const old = await prepare(alice, bob, newCallId());
    const callId = newCallId();
    await prepare(alice, bob, callId);
    expect(alice.security.begin({ callId, peerDecision: old.calleeDecision }).status).toMatchObject({ state: 'failed' });
  });

  it('fails when a flipped-off decision would have downgraded an E2EE peer', async () => {
    // Bob signed "off", the server claims "on": the signature no longer matches.
    const alice = device('alice', 1);
    const bob = device('bob', 2, false);
    const callId = newCallId();
    const { calleeDecision } = await prepare(alice, bob, callId);
    expect(alice.security.begin({ callId, peerDecision: { ...calleeDecision, e2ee: true } }).status.state).toBe('failed');
  });

  it('fails on handshake messages swapped between two runs of a call', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const otherAlice = device('alice', 1);
    const otherBob = device('bob', 2);
    const callId = newCallId();
    const decisions = await prepare(alice, bob, callId);
    // An independent run of the same call: same ids, keys and decisions, fresh ephemeral keys.
    await prepare(otherAlice, otherBob, callId);
    alice.security.begin({ callId, peerDecision: decisions.calleeDecision });
    const otherFirst = otherAlice.security.begin({ callId, peerDecision: decisions.calleeDecision });
    otherBob.security.begin({ callId, peerDecision: decisions.callerDecision });
    const otherReply = otherBob.security.receive({ callId, message: otherFirst.send as NonNullable<E2eeStep['send']> });
    // Alice gets the reply to a handshake she did not start.
    const step = alice.security.receive({ callId, message: otherReply.send as NonNullable<E2eeStep['send']> });
    expect(step.status).toMatchObject({ state: 'failed', reason: /did not authenticate/ });
    expect(alice.delivered).toHaveLength(0);
  });

  it('fails on a message with the other payload, a wrong seq, or garbage', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { callerDecision, calleeDecision } = await prepare(alice, bob, callId);
    const first = alice.security.begin({ callId, peerDecision: calleeDecision });
    bob.security.begin({ callId, peerDecision: callerDecision });
    const firstMessage = first.send as NonNullable<E2eeStep['send']>;
    // Alice's own first message reflected back to her as if it were Bob's reply.
    expect(alice.security.receive({ callId, message: { seq: 1, payload: firstMessage.payload } }).status).toMatchObject({
      state: 'failed',
      reason: /must be 96 bytes/,
    });
    expect(bob.security.receive({ callId, message: { seq: 2, payload: firstMessage.payload } }).status).toMatchObject({
      state: 'failed',
      reason: /message 3 arrived where message 1 was expected/,
    });
    // Once failed, a call stays failed.
    expect(bob.security.receive({ callId, message: firstMessage }).status.state).toBe('failed');
  });

  it('fails on a handshake message for a call without E2EE', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2, false);
    const callId = newCallId();
    await connect(alice, bob, callId);
    const step = bob.security.receive({ callId, message: { seq: 0, payload: toBase64Url(new Uint8Array(32)) } });
    expect(step.status).toMatchObject({ state: 'failed', reason: /without end-to-end encryption/ });
  });

  it('reports a changed key without re-pinning it, and still warns once established', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const oldBobKey = toBase64Url(ed25519.getPublicKey(new Uint8Array(32).fill(9)));
    alice.trust.contacts.set('bob', { publicKey: oldBobKey, verified: true });
    const callId = newCallId();
    const prepared = await alice.security.prepare({ callId, role: 'caller', peerHandle: 'bob', peerKey: bob.publicKey });
    expect(prepared.peerTrust).toBe('changed');
    expect(alice.trust.contacts.get('bob')).toEqual({ publicKey: oldBobKey, verified: true });
    const result = await connect(alice, bob, callId);
    expect(result.caller.status).toMatchObject({ state: 'established', peerTrust: 'changed' });
  });

  it('pins on first contact, then reports pinned, then verified', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const first = await connect(alice, bob);
    expect(first.caller.status).toMatchObject({ peerTrust: 'new' });
    expect(alice.trust.contacts.get('bob')).toEqual({ publicKey: bob.publicKey, verified: false });

    const callId = newCallId();
    const second = await connect(alice, bob, callId);
    expect(second.caller.status).toMatchObject({ state: 'established', peerTrust: 'pinned' });
    expect(await alice.security.markVerified('bob', bob.publicKey)).toBe('verified');
    expect(alice.trust.contacts.get('bob')).toEqual({ publicKey: bob.publicKey, verified: true });

    const third = await connect(alice, bob);
    expect(third.caller.status).toMatchObject({ peerTrust: 'verified' });
  });

  it('verifies a changed key only through the call that authenticated it', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const mallory = toBase64Url(ed25519.getPublicKey(new Uint8Array(32).fill(3)));
    alice.trust.contacts.set('bob', { publicKey: toBase64Url(new Uint8Array(32).fill(7)), verified: false });
    await expect(alice.security.markVerified('bob', mallory)).rejects.toThrow(/Only the key pinned/);
    await connect(alice, bob);
    await expect(alice.security.markVerified('bob', mallory)).rejects.toThrow(/Only the key pinned/);
    expect(await alice.security.markVerified('bob', bob.publicKey)).toBe('verified');
    expect(alice.trust.contacts.get('bob')).toEqual({ publicKey: bob.publicKey, verified: true });
  });

  it('wipes the call’s keys when it ends', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    await connect(alice, bob, callId);
    const keys = alice.delivered[0] as FrameKeysMessage;
    expect(keys.sendBaseKey.some((b) => b !== 0)).toBe(true);
    alice.security.end('someOtherCallIdxxxxxxx');
    expect(alice.security.activeCall()).not.toBeNull();
    alice.security.end(callId);
    expect(keys.sendBaseKey.every((b) => b === 0)).toBe(true);
    expect(keys.receiveBaseKey.every((b) => b === 0)).toBe(true);
    expect(alice.security.activeCall()).toBeNull();
    expect(() => alice.security.receive({ callId, message: { seq: 1, payload: 'AA' } })).toThrow(/no call in progress/);
  });

  it('ends a call that ended while its preparation waited for the trust store', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const pending = alice.security.prepare({ callId, role: 'caller', peerHandle: 'bob', peerKey: bob.publicKey });
    alice.security.end(callId);
    await expect(pending).rejects.toThrow(/ended while it was being prepared/);
    expect(alice.security.activeCall()).toBeNull();
  });

  it('refuses begin out of turn', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    const { calleeDecision } = await prepare(alice, bob, callId);
    alice.security.begin({ callId, peerDecision: calleeDecision });
    expect(() => alice.security.begin({ callId, peerDecision: calleeDecision })).toThrow(/already called/);
    expect(() => alice.security.begin({ callId: newCallId(), peerDecision: calleeDecision })).toThrow(/no call in progress/);
  });

  it('lets a live invite ring once: the caller’s decision as prepared verifies against the invite’s key, its replay does not ring', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const mallory = device('mallory', 3);
    const callId = newCallId();
    const { decision } = await alice.security.prepare({ callId, role: 'caller', peerHandle: bob.handle, peerKey: bob.publicKey });
    expect(Math.abs(decision.issuedAt - Date.now())).toBeLessThan(5000);
    const invite = { callId, peerHandle: alice.handle, peerKey: alice.publicKey, decision };
    // Signed for Bob: Mallory's device cannot take it for hers, and a key swapped into the invite fails.
    expect(mallory.security.checkInvite(invite)).toMatchObject({ verdict: 'unverified' });
    expect(bob.security.checkInvite({ ...invite, peerKey: mallory.publicKey })).toMatchObject({ verdict: 'unverified' });
    expect(bob.security.checkInvite(invite)).toEqual({ verdict: 'live', reason: null });
    expect(bob.security.checkInvite(invite)).toMatchObject({ verdict: 'replayed' });
  });

  it('uses the injected randomness for its ephemeral keys', async () => {
    const run = async (): Promise<E2eeStep> => {
      const make = (handle: string, fill: number): Device => {
        const d = device(handle, fill);
        d.security = new CallSecurity({
          identity: seedSigner(new Uint8Array(32).fill(fill)),
          getSettings: () => d.settings,
          trust: d.trust,
          deliverKeys: (keys) => d.delivered.push(keys),
          random: (length) => new Uint8Array(length).fill(fill + 40),
          now: () => 1_700_000_000_000,
        });
        return d;
      };
      return (await connect(make('alice', 1), make('bob', 2), 'fixedCallIdxxxxxxxxxxx')).caller;
    };
    expect(await run()).toEqual(await run());
  });

  it('signs login challenges with the identity key, bound to the server’s origin', async () => {
    const alice = device('alice', 1);
    const nonce = toBase64Url(new Uint8Array(32).fill(5));
    const signature = fromBase64Url(await alice.security.signLogin({ nonce, origin: 'https://phone.example.org' }));
    const key = fromBase64Url(alice.publicKey);
    expect(new TextDecoder().decode(loginChallengeBytes('https://phone.example.org', nonce))).toBe(`softphone/login/v2\nhttps://phone.example.org\n${nonce}`);
    expect(ed25519.verify(signature, loginChallengeBytes('https://phone.example.org', nonce), key)).toBe(true);
    // Not valid for another server that passed the same challenge on.
    expect(ed25519.verify(signature, loginChallengeBytes('https://evil.example', nonce), key)).toBe(false);
    expect(alice.security.publicKey).toBe(alice.publicKey);
  });
});

describe('CallSecurity.authorizeCapture', () => {
  it('signs a capture statement only once the call is settled as standard, for that call only', async () => {
    const alice = device('alice', 1, false);
    const bob = device('bob', 2, true);
    const callId = newCallId();
    const request = { callId, kind: 'recording' as const };
    expect(await alice.security.authorizeCapture(request)).toMatchObject({ allowed: false, refusal: 'no-call' });
    await prepare(alice, bob, callId);
    expect(await alice.security.authorizeCapture(request)).toMatchObject({ allowed: false, refusal: 'not-settled' });

    await connect(alice, bob, callId);
    const decision = await alice.security.authorizeCapture(request);
    if (!decision.allowed) throw new Error(`refused: ${decision.message}`);
    expect(verifyCaptureStatement(decision.statement, request, fromBase64Url(alice.publicKey))).toBe(true);
    expect(await alice.security.authorizeCapture({ ...request, callId: newCallId() })).toMatchObject({ allowed: false, refusal: 'no-call' });
  });

  it('refuses to sign in an end-to-end encrypted call', async () => {
    const alice = device('alice', 1);
    const bob = device('bob', 2);
    const callId = newCallId();
    await connect(alice, bob, callId);
    expect(await alice.security.authorizeCapture({ callId, kind: 'transcription' })).toMatchObject({ allowed: false, refusal: 'end-to-end-encrypted' });
  });
});
