import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../encoding';
import type { E2eeDecision } from '../protocol';
import { signDecision } from './decision';
import { CALL_NOISE_PROTOCOL, CallHandshake, type CallHandshakeOptions, HandshakeError, type HandshakeResult, callPrologue } from './handshake';
import { HandshakeState } from './noise';

interface Identity {
  seed: Uint8Array;
  key: Uint8Array;
}
const identity = (fill: number): Identity => {
  const seed = new Uint8Array(32).fill(fill);
  return { seed, key: ed25519.getPublicKey(seed) };
};
const alice = identity(1);
const bob = identity(2);
const mallory = identity(3);
const callId = 'CCCCCCCCCCCCCCCCCCCCCC';

function decisions(caller: Identity, callee: Identity, id = callId): { callerDecision: E2eeDecision; calleeDecision: E2eeDecision } {
  return {
    callerDecision: signDecision(caller.seed, { callId: id, role: 'caller', e2ee: true, signerKey: caller.key, peerKey: callee.key }),
    calleeDecision: signDecision(callee.seed, { callId: id, role: 'callee', e2ee: true, signerKey: callee.key, peerKey: caller.key }),
  };
}

/** The caller's and callee's views, each believing the given peer key. */
function sides(
  caller: Identity,
  callerBelievesCallee: Uint8Array,
  callee: Identity,
  calleeBelievesCaller: Uint8Array,
  overrides: Partial<CallHandshakeOptions> = {},
): { caller: CallHandshake; callee: CallHandshake } {
  const signed = decisions(caller, callee);
  return {
    caller: new CallHandshake({ callId, role: 'caller', identitySeed: caller.seed, localKey: caller.key, peerKey: callerBelievesCallee, ...signed }),
    callee: new CallHandshake({ callId, role: 'callee', identitySeed: callee.seed, localKey: callee.key, peerKey: calleeBelievesCaller, ...signed, ...overrides }),
  };
}

function run(caller: CallHandshake, callee: CallHandshake): { caller: HandshakeResult; callee: HandshakeResult; lengths: number[] } {
  expect(callee.start()).toBeNull();
  const first = caller.start() as Uint8Array;
  const second = callee.receive(first);
  expect(second.result).toBeNull();
  const third = caller.receive(second.reply as Uint8Array);
  const last = callee.receive(third.reply as Uint8Array);
  expect(last.reply).toBeNull();
  return {
    caller: third.result as HandshakeResult,
    callee: last.result as HandshakeResult,
    lengths: [first.length, (second.reply as Uint8Array).length, (third.reply as Uint8Array).length],
  };
}

function handshakeError(step: () => unknown): string {
  try {
    step();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    return (error as Error).message;
  }
  throw new Error('expected a HandshakeError');
}

describe('CallHandshake', () => {
  it('gives both sides the same code and transcript and paired frame keys', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    const result = run(caller, callee);
    expect(result.lengths).toEqual([32, 96, 64]);
    expect(result.caller.securityCode).toMatch(/^\d{20}$/);
    expect(result.caller.securityCode).toBe(result.callee.securityCode);
    expect(result.caller.transcriptHash).toEqual(result.callee.transcriptHash);
    expect(result.caller.sendBaseKey).toHaveLength(16);
    expect(result.caller.sendBaseKey).toEqual(result.callee.receiveBaseKey);
    expect(result.caller.receiveBaseKey).toEqual(result.callee.sendBaseKey);
    expect(result.caller.sendBaseKey).not.toEqual(result.caller.receiveBaseKey);
  });

  it('uses fresh ephemeral keys: two calls get different codes and keys', () => {
    const first = run(...Object.values(sides(alice, bob.key, bob, alice.key)) as [CallHandshake, CallHandshake]);
    const second = run(...Object.values(sides(alice, bob.key, bob, alice.key)) as [CallHandshake, CallHandshake]);
    expect(first.caller.securityCode).not.toBe(second.caller.securityCode);
    expect(first.caller.sendBaseKey).not.toEqual(second.caller.sendBaseKey);
  });

  it('keeps its wire format: same inputs, same code and keys as earlier versions', () => {
    // Regression values from this implementation (its Noise core is checked against the
    // cacophony vectors): a change here breaks calls between app versions.
    const fixed = (fill: number) => () => new Uint8Array(32).fill(fill);
    const signed = decisions(alice, bob);
    const caller = new CallHandshake({ callId, role: 'caller', identitySeed: alice.seed, localKey: alice.key, peerKey: bob.key, ...signed, generateEphemeral: fixed(9) });
    const callee = new CallHandshake({ callId, role: 'callee', identitySeed: bob.seed, localKey: bob.key, peerKey: alice.key, ...signed, generateEphemeral: fixed(10) });
    const { caller: result } = run(caller, callee);
    expect(result.securityCode).toBe('22330128055960064892');
    expect(bytesToHex(result.transcriptHash)).toBe('fd0e3b954aa092d4b8b9f966f05e88fa38d4941dba97bd7f15dfbcfda6d7f648');
    expect(bytesToHex(result.sendBaseKey)).toBe('62d2e9215177e0ad3a89c669daf73ed8');
    expect(bytesToHex(result.receiveBaseKey)).toBe('1c012d182d3046b48a10080767d17d85');
  });

  it('shows different codes to both ends when a man in the middle runs two handshakes', () => {
    // The server handed each side Mallory's key as the other's (first contact, or a missed key-change warning).
    const left = sides(alice, mallory.key, mallory, alice.key);
    const right = sides(mallory, bob.key, bob, mallory.key);
    const aliceView = run(left.caller, left.callee).caller;
    const bobView = run(right.caller, right.callee).callee;
    expect(aliceView.securityCode).not.toBe(bobView.securityCode);
    expect(aliceView.sendBaseKey).not.toEqual(bobView.receiveBaseKey);
  });

  /** Mallory with every public input of the call (so the prologue matches) but her own static key. */
  function impostor(role: 'caller' | 'callee'): HandshakeState {
    const signed = decisions(alice, bob);
    const [localKey, peerKey] = role === 'caller' ? [alice.key, bob.key] : [bob.key, alice.key];
    return new HandshakeState({
      protocolName: CALL_NOISE_PROTOCOL,
      initiator: role === 'caller',
      prologue: callPrologue({ callId, role, localKey, peerKey, ...signed }),
      staticSecret: ed25519.utils.toMontgomerySecret(mallory.seed),
    });
  }

  it('fails when the callee authenticates with another static key than its identity key', () => {
    const { caller } = sides(alice, bob.key, bob, alice.key);
    const mallorysCallee = impostor('callee');
    mallorysCallee.readMessage(caller.start() as Uint8Array);
    expect(handshakeError(() => caller.receive(mallorysCallee.writeMessage()))).toMatch(/not its identity key/);
  });

  it('fails when the caller authenticates with another static key than its identity key', () => {
    const { callee } = sides(alice, bob.key, bob, alice.key);
    const mallorysCaller = impostor('caller');
    const { reply } = callee.receive(mallorysCaller.writeMessage());
    mallorysCaller.readMessage(reply as Uint8Array);
    expect(handshakeError(() => callee.receive(mallorysCaller.writeMessage()))).toMatch(/not its identity key/);
  });

  it('fails when someone answers with their own identity in place of the expected one', () => {
    const signed = decisions(alice, bob);
    const caller = new CallHandshake({ callId, role: 'caller', identitySeed: alice.seed, localKey: alice.key, peerKey: bob.key, ...signed });
    const mallorysCallee = new CallHandshake({ callId, role: 'callee', identitySeed: mallory.seed, localKey: mallory.key, peerKey: alice.key, ...signed });
    const { reply } = mallorysCallee.receive(caller.start() as Uint8Array);
    expect(handshakeError(() => caller.receive(reply as Uint8Array))).toMatch(/did not authenticate/);
  });

  it('fails when the sides saw different decisions', () => {
    const offDecision = signDecision(bob.seed, { callId, role: 'callee', e2ee: false, signerKey: bob.key, peerKey: alice.key });
    const { caller, callee } = sides(alice, bob.key, bob, alice.key, { calleeDecision: offDecision });
    const { reply } = callee.receive(caller.start() as Uint8Array);
    expect(handshakeError(() => caller.receive(reply as Uint8Array))).toMatch(/message 2 did not authenticate/);
  });

  it('fails when the sides disagree on the call id', () => {
    const { caller } = sides(alice, bob.key, bob, alice.key);
    const callee = new CallHandshake({
      callId: 'DDDDDDDDDDDDDDDDDDDDDD',
      role: 'callee',
      identitySeed: bob.seed,
      localKey: bob.key,
      peerKey: alice.key,
      ...decisions(alice, bob),
    });
    const { reply } = callee.receive(caller.start() as Uint8Array);
    expect(handshakeError(() => caller.receive(reply as Uint8Array))).toMatch(/did not authenticate/);
  });

  it('fails on a tampered message', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    const { reply } = callee.receive(caller.start() as Uint8Array);
    const { reply: third } = caller.receive(reply as Uint8Array);
    const tampered = (third as Uint8Array).slice();
    tampered[10] = (tampered[10] as number) ^ 0x80;
    expect(handshakeError(() => callee.receive(tampered))).toMatch(/message 3 did not authenticate/);
    expect(handshakeError(() => callee.receive(third as Uint8Array))).toMatch(/already failed/);
  });

  it('fails on a message of the wrong length', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    const first = caller.start() as Uint8Array;
    expect(handshakeError(() => callee.receive(first.subarray(0, 31)))).toBe('handshake message 1 must be 32 bytes, not 31');
  });

  it('fails on messages out of order', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    expect(handshakeError(() => caller.receive(new Uint8Array(96)))).toMatch(/out of order/);
    const again = sides(alice, bob.key, bob, alice.key);
    const first = again.caller.start() as Uint8Array;
    again.callee.receive(first);
    // A repeated first message is taken as a malformed third one.
    expect(handshakeError(() => again.callee.receive(first))).toMatch(/message 3 must be 64 bytes/);
    expect(handshakeError(() => callee.receive(new Uint8Array(96)))).toMatch(/must be 32 bytes/);
  });

  it('refuses another message after completing', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    run(caller, callee);
    expect(handshakeError(() => callee.receive(new Uint8Array(64)))).toMatch(/already complete/);
  });

  it('fails on a low-order ephemeral key', () => {
    const { callee } = sides(alice, bob.key, bob, alice.key);
    expect(handshakeError(() => callee.receive(new Uint8Array(32)))).toMatch(/message 2 carries an invalid public key/);
  });

  it('fails when a side names a localKey that is not the public key of its seed', () => {
    // The caller's own key is wrong: its prologue differs from the callee's.
    const signed = decisions(alice, bob);
    const wrongCaller = new CallHandshake({ callId, role: 'caller', identitySeed: alice.seed, localKey: mallory.key, peerKey: bob.key, ...signed });
    const honestCallee = new CallHandshake({ callId, role: 'callee', identitySeed: bob.seed, localKey: bob.key, peerKey: alice.key, ...signed });
    const { reply } = honestCallee.receive(wrongCaller.start() as Uint8Array);
    expect(handshakeError(() => wrongCaller.receive(reply as Uint8Array))).toMatch(/message 2 did not authenticate/);
    // The callee's own key is wrong: the honest caller refuses its second message.
    const { caller, callee } = sides(alice, bob.key, bob, alice.key, { localKey: mallory.key });
    const second = callee.receive(caller.start() as Uint8Array);
    expect(handshakeError(() => caller.receive(second.reply as Uint8Array))).toMatch(/message 2 did not authenticate/);
  });

  it('never puts secrets in errors', () => {
    const { caller, callee } = sides(alice, bob.key, bob, alice.key);
    const { reply } = callee.receive(caller.start() as Uint8Array);
    const tampered = (reply as Uint8Array).slice();
    tampered[50] = (tampered[50] as number) ^ 1;
    const message = handshakeError(() => caller.receive(tampered));
    expect(message).not.toMatch(/[0-9a-f]{16}|[A-Za-z0-9_-]{22}/);
  });
});
