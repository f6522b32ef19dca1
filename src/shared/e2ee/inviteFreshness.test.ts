import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { signDecision } from './decision';
import { CALL_HANDSHAKE_SUITE } from './handshake';
import { INVITE_WINDOW_MS, InviteFreshness } from './inviteFreshness';

const callerSeed = new Uint8Array(32).fill(1);
const callerKey = ed25519.getPublicKey(callerSeed);
const calleeKey = ed25519.getPublicKey(new Uint8Array(32).fill(2));
const otherKey = ed25519.getPublicKey(new Uint8Array(32).fill(3));
const T0 = 1_700_000_000_000;

/** An invite for `callId` as its caller signed it at `issuedAt`. */
function invite(callId: string, issuedAt: number) {
  const decision = signDecision(callerSeed, {
    callId,
    role: 'caller',
    e2ee: true,
    signerKey: callerKey,
    peerKey: calleeKey,
    handshake: CALL_HANDSHAKE_SUITE,
    issuedAt,
  });
  return { callId, decision, callerKey, calleeKey };
}

/** A checker whose clock the test sets. */
function checker(knownCall: (callId: string) => boolean = () => false) {
  const clock = { now: T0 };
  return { clock, invites: new InviteFreshness({ now: () => clock.now, knownCall }) };
}

describe('InviteFreshness', () => {
  it('rings for an invite signed just now, and for clocks a little apart either way', () => {
    const { invites } = checker();
    expect(invites.check(invite('call-now', T0))).toEqual({ verdict: 'live', reason: null });
    expect(invites.check(invite('call-behind', T0 - INVITE_WINDOW_MS))).toEqual({ verdict: 'live', reason: null });
    expect(invites.check(invite('call-ahead', T0 + INVITE_WINDOW_MS))).toEqual({ verdict: 'live', reason: null });
  });

  it('refuses an invite signed longer ago than the window', () => {
    const { invites } = checker();
    expect(invites.check(invite('call-old', T0 - INVITE_WINDOW_MS - 1000))).toEqual({ verdict: 'stale', reason: 'the invite was signed 121 s ago' });
    expect(invites.check(invite('call-older', T0 - 3_600_000))).toMatchObject({ verdict: 'stale', reason: 'the invite was signed 3600 s ago' });
  });

  it('refuses an invite signed further in the future than the window', () => {
    const { invites } = checker();
    expect(invites.check(invite('call-future', T0 + INVITE_WINDOW_MS + 5000))).toEqual({
      verdict: 'stale',
      reason: "the invite was signed 125 s ahead of this device's clock",
    });
  });

  it('refuses the same invite again, within the window: a replay', () => {
    const { clock, invites } = checker();
    const first = invite('call-once', T0);
    expect(invites.check(first).verdict).toBe('live');
    clock.now = T0 + 30_000;
    expect(invites.check(first)).toEqual({ verdict: 'replayed', reason: 'this call was already rung on this device' });
    // Re-signed by nobody: any other time breaks the caller's signature, it cannot be freshened.
    expect(invites.check({ ...first, decision: { ...first.decision, issuedAt: clock.now } }).verdict).toBe('replayed');
  });

  it('refuses an invite for a call already in the call history (seen before this run)', () => {
    const { invites } = checker((callId) => callId === 'call-in-history');
    expect(invites.check(invite('call-in-history', T0))).toMatchObject({ verdict: 'replayed' });
    expect(invites.check(invite('call-new', T0)).verdict).toBe('live');
  });

  it('refuses a replay once the window is over too, after forgetting the call id', () => {
    const { clock, invites } = checker();
    const first = invite('call-forgotten', T0);
    expect(invites.check(first).verdict).toBe('live');
    clock.now = T0 + INVITE_WINDOW_MS + 1;
    expect(invites.check(first)).toMatchObject({ verdict: 'stale' });
  });

  it('does not trust the time of an invite whose signature does not verify', () => {
    const { invites } = checker();
    const signed = invite('call-tampered', T0);
    const fresherTime = invites.check({ ...signed, decision: { ...signed.decision, issuedAt: T0 + 1 } });
    expect(fresherTime).toEqual({ verdict: 'unverified', reason: 'the decision signature does not match this call, setting, keys, handshake and time' });
    expect(invites.check({ ...signed, decision: { ...signed.decision, e2ee: false } }).verdict).toBe('unverified');
    // Signed for another callee (a relay that swapped keys), or named with another caller's key.
    expect(invites.check({ ...signed, calleeKey: otherKey }).verdict).toBe('unverified');
    expect(invites.check({ ...signed, callerKey: otherKey }).verdict).toBe('unverified');
    expect(invites.check({ ...signed, decision: { ...signed.decision, role: 'callee' } })).toMatchObject({
      verdict: 'unverified',
      reason: /signed as the callee/,
    });
    // Unverified invites are not remembered: the real one still rings.
    expect(invites.check(signed).verdict).toBe('live');
  });
});
