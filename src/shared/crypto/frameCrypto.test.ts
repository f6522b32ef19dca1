import { describe, expect, it } from 'vitest';
import { CallFrameCrypto, type CallFrameCryptoOptions, type FrameDecryptResult, MAX_EPOCHS_AHEAD, PREVIOUS_EPOCH_GRACE_FRAMES } from './frameCrypto';
import { ReplayWindow } from './replayWindow';
import { type CipherSuiteId, type SubtleAesGcm, decodeHeader, encodeHeader } from './sframe';

const callerToCallee = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const calleeToCaller = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

const frame = (n: number, size = 60): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: size }, (_, i) => (n * 31 + i) & 0xff);

function expectPlaintext(result: FrameDecryptResult, expected: Uint8Array): void {
  expect(result).toEqual({ ok: true, plaintext: expected });
}

async function carried(from: CallFrameCrypto, to: CallFrameCrypto, plaintext: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return (await to.decrypt(await from.encrypt(plaintext))).ok;
}

/** Encrypts frame(n) for each n, in order. */
async function encryptAll(from: CallFrameCrypto, ns: number[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const sealed: Uint8Array<ArrayBuffer>[] = [];
  for (const n of ns) sealed.push(await from.encrypt(frame(n)));
  return sealed;
}

// Every behaviour holds on both AEAD paths: @noble/ciphers, and WebCrypto (Node's crypto.subtle).
const BACKENDS: [string, SubtleAesGcm | undefined][] = [
  ['@noble/ciphers', undefined],
  ['WebCrypto', globalThis.crypto.subtle],
];

describe.each(BACKENDS)('CallFrameCrypto with %s', (_backend, subtle) => {
  function pair(suite?: CipherSuiteId): { caller: CallFrameCrypto; callee: CallFrameCrypto } {
    const options = (localSender: 0 | 1): CallFrameCryptoOptions => ({
      sendBaseKey: localSender === 0 ? callerToCallee : calleeToCaller,
      receiveBaseKey: localSender === 0 ? calleeToCaller : callerToCallee,
      localSender,
      suite,
      subtle,
    });
    return { caller: new CallFrameCrypto(options(0)), callee: new CallFrameCrypto(options(1)) };
  }

  it.each([1, 2, 3, 4, 5] as const)('carries frames both ways with suite %i', async (suite) => {
    const { caller, callee } = pair(suite);
    for (let n = 0; n < 20; n++) {
      expectPlaintext(await callee.decrypt(await caller.encrypt(frame(n))), frame(n));
      expectPlaintext(await caller.decrypt(await callee.encrypt(frame(n, 1200))), frame(n, 1200));
    }
    expectPlaintext(await callee.decrypt(await caller.encrypt(new Uint8Array(0))), new Uint8Array(0));
    expect(caller.counters).toMatchObject({ framesEncrypted: 21, framesDecrypted: 20 });
    expect(callee.counters).toMatchObject({ framesEncrypted: 20, framesDecrypted: 21 });
  });

  it('puts the epoch and sender in the KID and counts frames in the CTR', async () => {
    const { caller, callee } = pair();
    expect(decodeHeader(await caller.encrypt(frame(0)))).toMatchObject({ kid: 0n, ctr: 0n });
    expect(decodeHeader(await caller.encrypt(frame(1)))).toMatchObject({ kid: 0n, ctr: 1n });
    expect(decodeHeader(await callee.encrypt(frame(0)))).toMatchObject({ kid: 1n, ctr: 0n });
    caller.rekey();
    caller.rekey();
    expect(caller.epoch).toBe(2);
    expect(decodeHeader(await caller.encrypt(frame(2)))).toMatchObject({ kid: 4n, ctr: 0n });
  });

  it('encrypts the whole frame: no plaintext byte is left in clear', async () => {
    const { caller } = pair();
    const plaintext = new Uint8Array(64).fill(0x55);
    const sealed = await caller.encrypt(plaintext);
    expect(sealed).toHaveLength(1 + 64 + 16);
    expect(sealed.subarray(1, 65).filter((b) => b === 0x55).length).toBeLessThan(8);
  });

  it('drops tampered frames as auth failures', async () => {
    const { caller, callee } = pair();
    const sealed = await caller.encrypt(frame(0));
    for (const index of [1, 30, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index] = (tampered[index] as number) ^ 0x01;
      expect(await callee.decrypt(tampered)).toEqual({ ok: false, reason: 'auth' });
    }
    // A frame whose CTR was rewritten fails too: the header is authenticated.
    const moved = sealed.slice();
    moved[0] = 0x01;
    expect(await callee.decrypt(moved)).toEqual({ ok: false, reason: 'auth' });
    expectPlaintext(await callee.decrypt(sealed), frame(0));
    expect(callee.counters.dropped.auth).toBe(4);
  });

  it('drops forged frames under a known KID and frames under unknown keys', async () => {
    const { callee } = pair();
    const forged = new Uint8Array(40);
    forged.set(encodeHeader(0n, 3n));
    expect(await callee.decrypt(forged)).toEqual({ ok: false, reason: 'auth' });
    const farAhead = new Uint8Array(40);
    farAhead.set(encodeHeader(BigInt(2 * (MAX_EPOCHS_AHEAD + 1)), 0n));
    expect(await callee.decrypt(farAhead)).toEqual({ ok: false, reason: 'unknown-key' });
    const hugeKid = new Uint8Array(40);
    hugeKid.set(encodeHeader((1n << 64n) - 2n, 0n));
    expect(await callee.decrypt(hugeKid)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(callee.counters.dropped).toMatchObject({ auth: 1, 'unknown-key': 2 });
  });

  it('drops truncated and malformed frames', async () => {
    const { caller, callee } = pair();
    const sealed = await caller.encrypt(frame(0));
    expect(await callee.decrypt(new Uint8Array(0))).toEqual({ ok: false, reason: 'malformed' });
    expect(await callee.decrypt(sealed.subarray(0, 1))).toEqual({ ok: false, reason: 'malformed' });
    expect(await callee.decrypt(sealed.subarray(0, 16))).toEqual({ ok: false, reason: 'malformed' });
    expect(await callee.decrypt(Uint8Array.of(0x90))).toEqual({ ok: false, reason: 'malformed' });
    expect(await callee.decrypt(sealed.subarray(0, sealed.length - 1))).toEqual({ ok: false, reason: 'auth' });
    expect(callee.counters.dropped.malformed).toBe(4);
    expectPlaintext(await callee.decrypt(sealed), frame(0));
  });

  it('never throws, whatever arrives', async () => {
    const { caller, callee } = pair();
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const sealed = await caller.encrypt(frame(0));
    for (let i = 0; i < 2000; i++) {
      const junk = i % 2 ? Uint8Array.from({ length: i % 70 }, random) : sealed.map((b) => (random() < 8 ? random() : b));
      await expect(callee.decrypt(junk)).resolves.toMatchObject({ ok: expect.any(Boolean) });
    }
    expect(await callee.decrypt('not bytes' as unknown as Uint8Array<ArrayBuffer>)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('drops replayed frames, accepts reordered ones, refuses ones older than the window', async () => {
    const { caller, callee } = pair();
    const frames = await encryptAll(
      caller,
      Array.from({ length: ReplayWindow.SIZE + 10 }, (_, n) => n),
    );
    const first = frames[0] as Uint8Array<ArrayBuffer>;
    expectPlaintext(await callee.decrypt(first), frame(0));
    expect(await callee.decrypt(first)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(await callee.decrypt(frames[5] as Uint8Array<ArrayBuffer>), frame(5));
    expectPlaintext(await callee.decrypt(frames[3] as Uint8Array<ArrayBuffer>), frame(3));
    expect(await callee.decrypt(frames[5] as Uint8Array<ArrayBuffer>)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(await callee.decrypt(frames[ReplayWindow.SIZE + 9] as Uint8Array<ArrayBuffer>), frame(ReplayWindow.SIZE + 9));
    expect(await callee.decrypt(frames[4] as Uint8Array<ArrayBuffer>)).toEqual({ ok: false, reason: 'replay' });
    expectPlaintext(await callee.decrypt(frames[20] as Uint8Array<ArrayBuffer>), frame(20));
    expect(callee.counters.dropped.replay).toBe(3);
  });

  it('drops frames reflected back at their sender', async () => {
    const { caller } = pair();
    expect(await caller.decrypt(await caller.encrypt(frame(0)))).toEqual({ ok: false, reason: 'reflected' });
    expect(caller.counters.dropped.reflected).toBe(1);
  });

  it('rekeys without losing a frame, late frames of the previous epoch included', async () => {
    const { caller, callee } = pair();
    const early = await encryptAll(caller, [0, 1, 2, 3]);
    caller.rekey();
    const later = await encryptAll(caller, [4, 5, 6]);
    // Network order: two old frames, then the new epoch, then the old stragglers.
    const order = [early[0], early[1], later[0], early[3], later[1], early[2], later[2]] as Uint8Array<ArrayBuffer>[];
    const expected = [0, 1, 4, 3, 5, 2, 6];
    for (const [i, sealed] of order.entries()) expectPlaintext(await callee.decrypt(sealed), frame(expected[i] as number));
    expect(callee.counters).toMatchObject({ framesDecrypted: 7, dropped: { replay: 0, 'unknown-key': 0 } });
    // Replays are caught in the previous epoch too.
    expect(await callee.decrypt(early[1] as Uint8Array<ArrayBuffer>)).toEqual({ ok: false, reason: 'replay' });
  });

  it('forgets the previous epoch after the grace period and never goes back', async () => {
    const { caller, callee } = pair();
    const old = await caller.encrypt(frame(0));
    const older = await caller.encrypt(frame(1));
    caller.rekey();
    for (let n = 0; n < PREVIOUS_EPOCH_GRACE_FRAMES - 1; n++) expect(await carried(caller, callee, frame(n))).toBe(true);
    expectPlaintext(await callee.decrypt(old), frame(0));
    expect(await carried(caller, callee, frame(9))).toBe(true);
    expect(await callee.decrypt(older)).toEqual({ ok: false, reason: 'unknown-key' });
    // Two epochs on, epoch 0 stays unreachable even for a frame that was never received.
    caller.rekey();
    expect(await carried(caller, callee, frame(0))).toBe(true);
    expect(await callee.decrypt(older)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('follows several rekeys at once, up to MAX_EPOCHS_AHEAD', async () => {
    const { caller, callee } = pair();
    expect(await carried(caller, callee, frame(0))).toBe(true);
    for (let i = 0; i < MAX_EPOCHS_AHEAD; i++) caller.rekey();
    expectPlaintext(await callee.decrypt(await caller.encrypt(frame(1))), frame(1));
    for (let i = 0; i < MAX_EPOCHS_AHEAD + 1; i++) caller.rekey();
    expect(await callee.decrypt(await caller.encrypt(frame(2)))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('does not move to a newer epoch on a forged frame', async () => {
    const { caller, callee } = pair();
    const old = await caller.encrypt(frame(0));
    const forged = new Uint8Array(48);
    forged.set(encodeHeader(2n, 0n));
    expect(await callee.decrypt(forged)).toEqual({ ok: false, reason: 'auth' });
    expectPlaintext(await callee.decrypt(old), frame(0));
    caller.rekey();
    expectPlaintext(await callee.decrypt(await caller.encrypt(frame(1))), frame(1));
  });

  it('keeps separate counters per epoch', async () => {
    const { caller, callee } = pair();
    const a = await caller.encrypt(frame(0));
    caller.rekey();
    const b = await caller.encrypt(frame(1));
    expect(decodeHeader(a).ctr).toBe(0n);
    expect(decodeHeader(b).ctr).toBe(0n);
    expectPlaintext(await callee.decrypt(b), frame(1));
    expectPlaintext(await callee.decrypt(a), frame(0));
  });

  it('refuses mismatched keys', async () => {
    const caller = new CallFrameCrypto({ sendBaseKey: callerToCallee, receiveBaseKey: calleeToCaller, localSender: 0, subtle });
    const wrong = new CallFrameCrypto({ sendBaseKey: calleeToCaller, receiveBaseKey: calleeToCaller, localSender: 1, subtle });
    expect(await wrong.decrypt(await caller.encrypt(frame(0)))).toEqual({ ok: false, reason: 'auth' });
  });

  it('validates its options and copies the keys it is given', async () => {
    expect(() => new CallFrameCrypto({ sendBaseKey: new Uint8Array(0), receiveBaseKey: calleeToCaller, localSender: 0 })).toThrow(/must not be empty/);
    expect(() => new CallFrameCrypto({ sendBaseKey: callerToCallee, receiveBaseKey: calleeToCaller, localSender: 2 as 0 })).toThrow(/localSender/);
    const send = callerToCallee.slice();
    const caller = new CallFrameCrypto({ sendBaseKey: send, receiveBaseKey: calleeToCaller.slice(), localSender: 0, subtle });
    send.fill(0);
    const { callee } = pair();
    expect(await carried(caller, callee, frame(0))).toBe(true);
  });

  it('stops working once destroyed', async () => {
    const { caller, callee } = pair();
    const sealed = await caller.encrypt(frame(0));
    callee.destroy();
    expect(await callee.decrypt(sealed)).toEqual({ ok: false, reason: 'unknown-key' });
    caller.destroy();
    await expect(caller.encrypt(frame(1))).rejects.toThrow(/destroyed/);
  });

  it('gives frames encrypted side by side (audio and video) distinct counters', async () => {
    const { caller, callee } = pair();
    const sealed = await Promise.all(Array.from({ length: 40 }, (_, n) => caller.encrypt(frame(n, n % 2 ? 80 : 5000))));
    expect(new Set(sealed.map((bytes) => decodeHeader(bytes).ctr)).size).toBe(40);
    const opened = await Promise.all(sealed.map((bytes) => callee.decrypt(bytes)));
    opened.forEach((result, n) => expectPlaintext(result, frame(n, n % 2 ? 80 : 5000)));
  });

  it('accepts only one of two copies of a frame opened side by side', async () => {
    const { caller, callee } = pair();
    const sealed = await caller.encrypt(frame(0));
    const results = await Promise.all([callee.decrypt(sealed), callee.decrypt(sealed.slice())]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, reason: 'replay' }]);
    expect(callee.counters).toMatchObject({ framesDecrypted: 1, dropped: { replay: 1 } });
  });

  it('finishes frames already started when the send key rotates', async () => {
    const { caller, callee } = pair();
    const before = caller.encrypt(frame(0));
    caller.rekey();
    const after = caller.encrypt(frame(1));
    expectPlaintext(await callee.decrypt(await before), frame(0));
    expectPlaintext(await callee.decrypt(await after), frame(1));
    expect(decodeHeader(await after).kid).toBe(2n);
  });

  it('drops a frame whose keys were destroyed while it was being opened', async () => {
    const { caller, callee } = pair();
    const opening = callee.decrypt(await caller.encrypt(frame(0)));
    callee.destroy();
    expect(await opening).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('hands out counters as a snapshot', async () => {
    const { caller } = pair();
    const before = caller.counters;
    await caller.encrypt(frame(0));
    expect(before.framesEncrypted).toBe(0);
    expect(caller.counters.framesEncrypted).toBe(1);
  });
});
