// The strongest attack a signaling server (or whoever sits in its place) can mount: it hands each
// side a key of its own in place of the other's, re-signs both E2EE decisions with those keys, and
// runs a separate, complete handshake with each side. Each side then has "an E2EE call" — with the
// attacker. What gives it away is the security code (different on each side) and, if the users had
// talked before, the pinned keys (a key-change warning).
import { ed25519 } from '@noble/curves/ed25519.js';
import type { RelayLink, Tampering } from './tamperingRelay';
import { signDecision } from '../../src/shared/e2ee/decision';
import { CallHandshake } from '../../src/shared/e2ee/handshake';
import { fromBase64Url, toBase64Url } from '../../src/shared/encoding';
import type { ClientMessage, E2eeDecision, ServerMessage } from '../../src/shared/protocol';

interface FakeIdentity {
  seed: Uint8Array;
  publicKey: Uint8Array;
}

interface InterceptedCall {
  callerLink: RelayLink;
  calleeLink: RelayLink | null;
  caller: string;
  callee: string;
  callerDecision: E2eeDecision;
  calleeDecision: E2eeDecision | null;
  /** The attacker posing as the callee, toward the caller. */
  towardCaller: CallHandshake | null;
  /** The attacker posing as the caller, toward the callee. */
  towardCallee: CallHandshake | null;
}

export interface KeySwappingMitm extends Tampering {
  /** How many of the call's two handshakes (with the caller, with the callee) the attacker completed. */
  handshakesCompleted(callId: string): number;
}

export function keySwappingMitm(): KeySwappingMitm {
  const fakes = new Map<string, FakeIdentity>();
  const realKeys = new Map<string, Uint8Array>();
  const calls = new Map<string, InterceptedCall>();
  const completed = new Map<string, number>();
  const complete = (callId: string) => completed.set(callId, (completed.get(callId) ?? 0) + 1);

  const fakeFor = (handle: string): FakeIdentity => {
    let fake = fakes.get(handle);
    if (!fake) {
      const seed = ed25519.utils.randomSecretKey();
      fakes.set(handle, (fake = { seed, publicKey: ed25519.getPublicKey(seed) }));
    }
    return fake;
  };
  const realKey = (handle: string): Uint8Array => {
    const key = realKeys.get(handle);
    if (!key) throw new Error(`the attacker has not learned ${handle}'s key`);
    return key;
  };
  /** `signer`'s decision re-signed by the attacker's stand-in for `signer`, addressed to `peer`'s real key. */
  const forged = (callId: string, role: 'caller' | 'callee', decision: E2eeDecision, signer: string, peer: string): E2eeDecision =>
    signDecision(fakeFor(signer).seed, {
      callId,
      role,
      e2ee: decision.e2ee,
      signerKey: fakeFor(signer).publicKey,
      peerKey: realKey(peer),
      handshake: decision.handshake,
      issuedAt: decision.issuedAt,
    });

  const startHandshakes = (callId: string, call: InterceptedCall): void => {
    if (call.towardCaller || !call.calleeDecision) return;
    const { caller, callee } = call;
    call.towardCaller = new CallHandshake({
      callId,
      role: 'callee',
      identitySeed: fakeFor(callee).seed,
      localKey: fakeFor(callee).publicKey,
      peerKey: realKey(caller),
      callerDecision: call.callerDecision,
      calleeDecision: forged(callId, 'callee', call.calleeDecision, callee, caller),
    });
    call.towardCallee = new CallHandshake({
      callId,
      role: 'caller',
      identitySeed: fakeFor(caller).seed,
      localKey: fakeFor(caller).publicKey,
      peerKey: realKey(callee),
      callerDecision: forged(callId, 'caller', call.callerDecision, caller, callee),
      calleeDecision: call.calleeDecision,
    });
  };

  return {
    handshakesCompleted: (callId) => completed.get(callId) ?? 0,
    fromClient(link: RelayLink, message: ClientMessage) {
      if (message.type === 'call.invite' && link.handle) {
        calls.set(message.callId, {
          callerLink: link,
          calleeLink: null,
          caller: link.handle,
          callee: message.to,
          callerDecision: message.decision,
          calleeDecision: null,
          towardCaller: null,
          towardCallee: null,
        });
      } else if (message.type === 'call.accept') {
        const call = calls.get(message.callId);
        if (call) {
          call.calleeLink = link;
          call.calleeDecision = message.decision;
        }
      } else if (message.type === 'e2ee.handshake') {
        const call = calls.get(message.callId);
        if (call && link === call.callerLink) {
          // The caller's messages end at the attacker posing as the callee.
          startHandshakes(message.callId, call);
          const step = call.towardCaller?.receive(fromBase64Url(message.payload));
          if (step?.reply) link.toClient({ v: 1, type: 'e2ee.handshake', callId: message.callId, seq: message.seq + 1, payload: toBase64Url(step.reply) });
          if (message.seq === 0) {
            const first = call.towardCallee?.start();
            if (first) link.toServer({ v: 1, type: 'e2ee.handshake', callId: message.callId, seq: 0, payload: toBase64Url(first) });
          }
          if (step?.result) complete(message.callId);
          return;
        }
      }
      link.toServer(message);
    },
    fromServer(link: RelayLink, message: ServerMessage) {
      if (message.type === 'session') realKeys.set(message.handle, fromBase64Url(message.publicKey));
      if (message.type === 'lookup.result' && message.publicKey) {
        realKeys.set(message.handle, fromBase64Url(message.publicKey));
        return link.toClient({ ...message, publicKey: toBase64Url(fakeFor(message.handle).publicKey) });
      }
      if (message.type === 'call.incoming') {
        realKeys.set(message.from, fromBase64Url(message.fromKey));
        const callee = link.handle ?? '';
        return link.toClient({
          ...message,
          fromKey: toBase64Url(fakeFor(message.from).publicKey),
          decision: forged(message.callId, 'caller', message.decision, message.from, callee),
        });
      }
      const call = 'callId' in message ? calls.get(message.callId) : undefined;
      if (call && message.type === 'call.accepted' && link === call.callerLink && call.calleeDecision) {
        return link.toClient({ ...message, decision: forged(message.callId, 'callee', call.calleeDecision, call.callee, call.caller) });
      }
      if (call && message.type === 'e2ee.handshake' && link === call.callerLink) {
        // The callee's messages end at the attacker posing as the caller.
        const step = call.towardCallee?.receive(fromBase64Url(message.payload));
        if (step?.reply) link.toServer({ v: 1, type: 'e2ee.handshake', callId: message.callId, seq: message.seq + 1, payload: toBase64Url(step.reply) });
        if (step?.result) complete(message.callId);
        return;
      }
      link.toClient(message);
    },
  };
}
