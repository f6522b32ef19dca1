import { describe, expect, it } from 'vitest';
import { CallFrameCrypto, type CallFrameCryptoOptions, MAX_EPOCHS_AHEAD, PREVIOUS_EPOCH_GRACE_FRAMES } from './frameCrypto';
import { ReplayWindow } from './replayWindow';
import { type CipherSuiteId, decodeHeader, encodeHeader } from './sframe';

const callerToCallee = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const calleeToCaller = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

function pair(suite?: CipherSuiteId): { caller: CallFrameCrypto; callee: CallFrameCrypto } {
  const options = (localSender: 0 | 1): CallFrameCryptoOptions => ({
    sendBaseKey: localSender === 0 ? callerToCallee : calleeToCaller,
    receiveBaseKey: localSender === 0 ? calleeToCaller : callerToCallee,
    localSender,
    suite,
  });
  return { caller: new CallFrameCrypto(options(0)), callee: new CallFrameCrypto(options(1)) };
}

const frame = (n: number, size = 60): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (n * 31 + i) & 0xff);

function expectPlaintext(result: ReturnType<CallFrameCrypto['decrypt']>, expected: Uint8Array): void {
  expect(result).toEqual({ ok: true, plaintext: expected });
}

describe('CallFrameCrypto', () => {
  it.each([1, 2, 3, 4, 5] as const)('carries frames both ways with suite %i', (suite) => {
    const { caller, callee } = pair(suite);
    for (let n = 0; n < 20; n++) {
      expectPlaintext(callee.decrypt(caller.encrypt(frame(n))), frame(n));
      expectPlaintext(caller.decrypt(callee.encrypt(frame(n, 1200))), frame(n, 1200));
    }
    expectPlaintext(callee.decrypt(caller.encrypt(new Uint8Array(0))), new Uint8Array(0));
    expect(caller.counters).toMatchObject({ framesEncrypted: 21, framesDecrypted: 20 });
    expect(callee.counters).toMatchObject({ framesEncrypted: 20, framesDecrypted: 21 });
  });

  it('puts the epoch and sender in the KID and counts frames in the CTR', () => {
    const { caller, callee } = pair();
    expect(decodeHeader(caller.encrypt(frame(0)))).toMatchObject({ kid: 0n, ctr: 0n });
    expect(decodeHeader(caller.encrypt(frame(1)))).toMatchObject({ kid: 0n, ctr: 1n });
    expect(decodeHeader(callee.encrypt(frame(0)))).toMatchObject({ kid: 1n, ctr: 0n });
    caller.rekey();
    caller.rekey();
    expect(caller.epoch).toBe(2);
    expect(decodeHeader(caller.encrypt(frame(2)))).toMatchObject({ kid: 4n, ctr: 0n });
  });

  it('encrypts the whole frame: no plaintext byte is left in clear', () => {
    const { caller } = pair();
    const plaintext = new Uint8Array(64).fill(0x55);
    const sealed = caller.encrypt(plaintext);
    expect(sealed).toHaveLength(1 + 64 + 16);
    expect(sealed.subarray(1, 65).filter((b) => b === 0x55).length).toBeLessThan(8);
  });

  it('drops tampered frames as auth failures', () => {
    const { caller, callee } = pair();
    const sealed = caller.encrypt(frame(0));
    for (const index of [1, 30, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index] = (tampered[index] as number) ^ 0x01;
      expect(callee.decrypt(tampered)).toEqual({ ok: false, reason: 'auth' });
    }
    // A frame whose CTR was rewritten fails too: the header is authenticated.
    const moved = sealed.slice();
    moved[0] = 0x01;
    expect(callee.decrypt(moved)).toEqual({ ok: false, reason: 'auth' });
    expectPlaintext(callee.decrypt(sealed), frame(0));
    expect(callee.counters.dropped.auth).toBe(4);
  });

  it('drops forged frames under a known KID and frames under unknown keys', () => {
    const { callee } = pair();
    const forged = new Uint8Array(40);
    forged.set(encodeHeader(0n, 3n));
    expect(callee.decrypt(forged)).toEqual({ ok: false, reason: 'auth' });
    const farAhead = new Uint8Array(40);
    farAhead.set(encodeHeader(BigInt(2 * (MAX_EPOCHS_AHEAD + 1)), 0n));
    expect(callee.decrypt(farAhead)).toEqual({ ok: false, reason: 'unknown-key' });
    const hugeKid = new Uint8Array(40);
    hugeKid.set(encodeHeader((1n << 64n) - 2n, 0n));
    expect(callee.decrypt(hugeKid)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(callee.counters.dropped).toMatchObject({ auth: 1, 'unknown-key': 2 });
  });

  it('drops truncated and malformed frames', () => {
    const { caller, callee } = pair();
    const sealed = caller.encrypt(frame(0));
    expect(callee.decrypt(new Uint8Array(0))).toEqual({ ok: false, reason: 'malformed' });
    expect(callee.decrypt(sealed.subarray(0, 1))).toEqual({ ok: false, reason: 'malformed' });
    expect(callee.decrypt(sealed.subarray(0, 16))).toEqual({ ok: false, reason: 'malformed' });
    expect(callee.decrypt(Uint8Array.of(0x90))).toEqual({ ok: false, reason: 'malformed' });
    expect(callee.decrypt(sealed.subarray(0, sealed.length - 1))).toEqual({ ok: false, reason: 'auth' });
    expect(callee.counters.dropped.malformed).toBe(4);
    expectPlaintext(callee.decrypt(sealed), frame(0));
  });

  it('never throws, whatever arrives', () => {
    const { caller, callee } = pair();
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const sealed = caller.encrypt(frame(0));
    for (let i = 0; i < 2000; i++) {
      const junk = i % 2 ? Uint8Array.from({ length: i % 70 }, random) : sealed.map((b) => (random() < 8 ? random() : b));
      expect(() => callee.decrypt(junk)).not.toThrow();
    }
    expect(callee.decrypt('not bytes' as unknown as Uint8Array)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('drops replayed frames, accepts reordered ones, refuses ones older than the window', () => {
    const { caller, callee } = pair();
    const frames = Array.from({ length: ReplayWindow.SIZE + 10 }, (_, n) => caller.encrypt(frame(n)));
    const first = frames[0] as Uint8Array;
    expectPlaintext(callee.decrypt(first), frame(0));
    expect(callee.decrypt(first)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(callee.decrypt(frames[5] as Uint8Array), frame(5));
    expectPlaintext(callee.decrypt(frames[3] as Uint8Array), frame(3));
    expect(callee.decrypt(frames[5] as Uint8Array)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(callee.decrypt(frames[ReplayWindow.SIZE + 9] as Uint8Array), frame(ReplayWindow.SIZE + 9));
    expect(callee.decrypt(frames[4] as Uint8Array)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(callee.decrypt(frames[20] as Uint8Array), frame(20));
    expect(callee.counters.dropped.replay).toBe(3);
  });

  it('drops frames reflected back at their sender', () => {
    const { caller } = pair();
    expect(caller.decrypt(caller.encrypt(frame(0)))).toEqual({ ok: false, reason: 'reflected' });
    expect(caller.counters.dropped.reflected).toBe(1);
  });

  it('rekeys without losing a frame, late frames of the previous epoch included', () => {
    const { caller, callee } = pair();
    const early = [0, 1, 2, 3].map((n) => caller.encrypt(frame(n)));
    caller.rekey();
    const later = [4, 5, 6].map((n) => caller.encrypt(frame(n)));
    // Network order: two old frames, then the new epoch, then the old stragglers.
    const order = [early[0], early[1], later[0], early[3], later[1], early[2], later[2]] as Uint8Array[];
    const expected = [0, 1, 4, 3, 5, 2, 6];
    order.forEach((sealed, i) => expectPlaintext(callee.decrypt(sealed), frame(expected[i] as number)));
    expect(callee.counters).toMatchObject({ framesDecrypted: 7, dropped: { replay: 0, 'unknown-key': 0 } });
    // Replays are caught in the previous epoch too.
    expect(callee.decrypt(early[1] as Uint8Array)).toEqual({ ok: false, reason: 'replay' });
  });

  it('forgets the previous epoch after the grace period and never goes back', () => {
    const { caller, callee } = pair();
    const old = caller.encrypt(frame(0));
    const older = caller.encrypt(frame(1));
    caller.rekey();
    for (let n = 0; n < PREVIOUS_EPOCH_GRACE_FRAMES - 1; n++) expect(callee.decrypt(caller.encrypt(frame(n))).ok).toBe(true);
    expectPlaintext(callee.decrypt(old), frame(0));
    expect(callee.decrypt(caller.encrypt(frame(9))).ok).toBe(true);
    expect(callee.decrypt(older)).toEqual({ ok: false, reason: 'unknown-key' });
    // Two epochs on, epoch 0 stays unreachable even for a frame that was never received.
    caller.rekey();
    expect(callee.decrypt(caller.encrypt(frame(0))).ok).toBe(true);
    expect(callee.decrypt(older)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('follows several rekeys at once, up to MAX_EPOCHS_AHEAD', () => {
    const { caller, callee } = pair();
    expect(callee.decrypt(caller.encrypt(frame(0))).ok).toBe(true);
    for (let i = 0; i < MAX_EPOCHS_AHEAD; i++) caller.rekey();
    expectPlaintext(callee.decrypt(caller.encrypt(frame(1))), frame(1));
    for (let i = 0; i < MAX_EPOCHS_AHEAD + 1; i++) caller.rekey();
    expect(callee.decrypt(caller.encrypt(frame(2)))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('does not move to a newer epoch on a forged frame', () => {
    const { caller, callee } = pair();
    const old = caller.encrypt(frame(0));
    const forged = new Uint8Array(48);
    forged.set(encodeHeader(2n, 0n));
    expect(callee.decrypt(forged)).toEqual({ ok: false, reason: 'auth' });
    expectPlaintext(callee.decrypt(old), frame(0));
    caller.rekey();
    expectPlaintext(callee.decrypt(caller.encrypt(frame(1))), frame(1));
  });

  it('keeps separate counters per epoch', () => {
    const { caller, callee } = pair();
    const a = caller.encrypt(frame(0));
    caller.rekey();
    const b = caller.encrypt(frame(1));
    expect(decodeHeader(a).ctr).toBe(0n);
    expect(decodeHeader(b).ctr).toBe(0n);
    expectPlaintext(callee.decrypt(b), frame(1));
    expectPlaintext(callee.decrypt(a), frame(0));
  });

  it('refuses mismatched keys', () => {
    const caller = new CallFrameCrypto({ sendBaseKey: callerToCallee, receiveBaseKey: calleeToCaller, localSender: 0 });
    const wrong = new CallFrameCrypto({ sendBaseKey: calleeToCaller, receiveBaseKey: calleeToCaller, localSender: 1 });
    expect(wrong.decrypt(caller.encrypt(frame(0)))).toEqual({ ok: false, reason: 'auth' });
  });

  it('validates its options and copies the keys it is given', () => {
    expect(() => new CallFrameCrypto({ sendBaseKey: new Uint8Array(0), receiveBaseKey: calleeToCaller, localSender: 0 })).toThrow(/must not be empty/);
    expect(() => new CallFrameCrypto({ sendBaseKey: callerToCallee, receiveBaseKey: calleeToCaller, localSender: 2 as 0 })).toThrow(/localSender/);
    const send = callerToCallee.slice();
    const caller = new CallFrameCrypto({ sendBaseKey: send, receiveBaseKey: calleeToCaller.slice(), localSender: 0 });
    send.fill(0);
    const { callee } = pair();
    expect(callee.decrypt(caller.encrypt(frame(0))).ok).toBe(true);
  });

  it('stops working once destroyed', () => {
    const { caller, callee } = pair();
    const sealed = caller.encrypt(frame(0));
    callee.destroy();
    expect(callee.decrypt(sealed)).toEqual({ ok: false, reason: 'unknown-key' });
    caller.destroy();
    expect(() => caller.encrypt(frame(1))).toThrow(/destroyed/);
  });

  it('hands out counters as a snapshot', () => {
    const { caller } = pair();
    const before = caller.counters;
    caller.encrypt(frame(0));
    expect(before.framesEncrypted).toBe(0);
    expect(caller.counters.framesEncrypted).toBe(1);
  });
});
