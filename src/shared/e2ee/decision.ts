// The signed end-to-end encryption decision each side sends with its invite or accept. The
// signature covers the call, the side's role, its setting, both identity keys, the handshake suite
// the side runs and when it was signed, so the server can neither flip the setting, nor replay a
// decision from another call, role or pair of users, nor talk a side into a weaker handshake, nor
// ring a callee with an old invite (the callee checks the time: see inviteFreshness.ts).
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifyIdentitySignature } from '../crypto/identityKey';
import { fromBase64Url, toBase64Url, utf8ToBytes } from '../encoding';
import type { CallRole, E2eeDecision } from '../protocol';
import { encodeFields } from './fields';

export const DECISION_DOMAIN = 'softphone/e2ee-decision/v2';

export interface DecisionFields {
  callId: string;
  /** The role of the side that signs. */
  role: CallRole;
  e2ee: boolean;
  /** The signer's Ed25519 identity key. */
  signerKey: Uint8Array;
  /** The other side's Ed25519 identity key. */
  peerKey: Uint8Array;
  /** The end-to-end handshake suite the signer runs (CALL_HANDSHAKE_SUITE in handshake.ts). */
  handshake: string;
  /** When the signer signed, in ms since the epoch by its clock. */
  issuedAt: number;
}

/** The signed bytes: domain, callId, role, e2ee flag, signer's key, peer's key, handshake suite, issuedAt (decimal), each length-prefixed. */
export function decisionBytes(fields: DecisionFields): Uint8Array {
  return encodeFields(DECISION_DOMAIN, [
    utf8ToBytes(fields.callId),
    utf8ToBytes(fields.role),
    Uint8Array.of(fields.e2ee ? 1 : 0),
    fields.signerKey,
    fields.peerKey,
    utf8ToBytes(fields.handshake),
    utf8ToBytes(String(fields.issuedAt)),
  ]);
}

/**
 * Signs `fields` with the identity seed. `fields.signerKey` must be that seed's public key; it is
 * not re-derived here: a decision signed under another key fails the peer's verifyDecision.
 */
export function signDecision(identitySeed: Uint8Array, fields: DecisionFields): E2eeDecision {
  return decisionOf(fields, ed25519.sign(decisionBytes(fields), identitySeed));
}

/** The decision on `fields` with `signature`, made over decisionBytes(fields) by whatever holds the key. */
export function decisionOf(fields: DecisionFields, signature: Uint8Array): E2eeDecision {
  return { e2ee: fields.e2ee, role: fields.role, handshake: fields.handshake, issuedAt: fields.issuedAt, signature: toBase64Url(signature) };
}

export interface DecisionExpectation {
  callId: string;
  /** The role the signer must have in this call. */
  expectedRole: CallRole;
  signerKey: Uint8Array;
  peerKey: Uint8Array;
}

export type DecisionCheck = { ok: true } | { ok: false; reason: string };

/** Checks a decision received from the signer through the server. */
export function verifyDecision(decision: E2eeDecision, expected: DecisionExpectation): DecisionCheck {
  if (decision.role !== expected.expectedRole) {
    return { ok: false, reason: `the decision is signed as the ${decision.role}, but that side is the ${expected.expectedRole}` };
  }
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(decision.signature);
  } catch {
    return { ok: false, reason: 'the decision signature is not base64url' };
  }
  const message = decisionBytes({
    callId: expected.callId,
    role: decision.role,
    e2ee: decision.e2ee,
    signerKey: expected.signerKey,
    peerKey: expected.peerKey,
    handshake: decision.handshake,
    issuedAt: decision.issuedAt,
  });
  // Strict RFC 8032 checks: no malleable signatures, small-order or non-canonical keys.
  const valid = verifyIdentitySignature(signature, message, expected.signerKey);
  return valid ? { ok: true } : { ok: false, reason: 'the decision signature does not match this call, setting, keys, handshake and time' };
}
