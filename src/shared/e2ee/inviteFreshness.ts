// Whether an invite that just arrived is a live call, before anything rings. Anyone on the path
// (a relay, or the server itself) can keep a `call.incoming` and send it again after the call
// ended; the caller's signed decision is what tells a live invite from a replay:
// - its signature must verify under the caller's key as the invite names it, for this call id and
//   for this device's key as the callee (else 'unverified': it rings with a warning, since its
//   time cannot be trusted either, and the call fails if accepted);
// - it must have been signed within INVITE_WINDOW_MS of this device's clock, either way (else
//   'stale');
// - its call id must not have been seen before: in this run (every live invite's id is kept until
//   an invite with it would be stale anyway) or in the call history (else 'replayed').
import type { InviteCheck } from '../bridge';
import type { E2eeDecision } from '../protocol';
import { verifyDecision } from './decision';

/**
 * How far an invite's signing time may be from this device's clock and still ring: wide enough for
 * two clocks a little apart, far shorter than the time a captured invite is worth replaying for.
 */
export const INVITE_WINDOW_MS = 2 * 60_000;
/** At most this many call ids are kept (the oldest go first); only live invites, which only real callers can sign, are kept. */
const MAX_REMEMBERED = 10_000;

export interface InviteFreshnessOptions {
  /** Whether the call history already holds this call id. */
  knownCall?: (callId: string) => boolean;
  /** The clock, ms since the epoch (Date.now by default). */
  now?: () => number;
}

export interface ArrivedInvite {
  callId: string;
  /** The caller's signed decision, as the invite carried it. */
  decision: E2eeDecision;
  /** The caller's identity key, as the invite names it. */
  callerKey: Uint8Array;
  /** This device's identity key. */
  calleeKey: Uint8Array;
}

export class InviteFreshness {
  /** Call id → the issuedAt its live invite was signed with, oldest first. */
  private readonly seen = new Map<string, number>();
  private readonly knownCall: (callId: string) => boolean;
  private readonly now: () => number;

  constructor(options: InviteFreshnessOptions = {}) {
    this.knownCall = options.knownCall ?? (() => false);
    this.now = options.now ?? (() => Date.now());
  }

  /** Checks one invite; a live one's call id is remembered, so the same invite again is 'replayed'. */
  check({ callId, decision, callerKey, calleeKey }: ArrivedInvite): InviteCheck {
    const now = this.now();
    this.forgetStale(now);
    if (this.seen.has(callId) || this.knownCall(callId)) return { verdict: 'replayed', reason: 'this call was already rung on this device' };
    const signed = verifyDecision(decision, { callId, expectedRole: 'caller', signerKey: callerKey, peerKey: calleeKey });
    if (!signed.ok) return { verdict: 'unverified', reason: signed.reason };
    const skew = decision.issuedAt - now;
    if (Math.abs(skew) > INVITE_WINDOW_MS) {
      const seconds = Math.round(Math.abs(skew) / 1000);
      return {
        verdict: 'stale',
        reason: skew < 0 ? `the invite was signed ${seconds} s ago` : `the invite was signed ${seconds} s ahead of this device's clock`,
      };
    }
    this.seen.set(callId, decision.issuedAt);
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value as string);
    return { verdict: 'live', reason: null };
  }

  /** An invite signed before now − INVITE_WINDOW_MS is refused for its time: its id need not be kept. */
  private forgetStale(now: number): void {
    for (const [callId, issuedAt] of this.seen) if (issuedAt < now - INVITE_WINDOW_MS) this.seen.delete(callId);
  }
}
