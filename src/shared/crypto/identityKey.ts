// What an identity public key must be, wherever one is accepted: a canonical encoding of an
// Ed25519 point that is not of small order. A small-order key lets a constant signature verify
// for any message (anyone could log in as it), and a non-canonical encoding of a point would be a
// second name for the same key. Signatures are checked strictly (RFC 8032, not ZIP-215) with
// `verifyIdentitySignature`, which refuses both as well.
import { ed25519 } from '@noble/curves/ed25519.js';

/** Why a key is refused, or null when it is acceptable. */
export function identityKeyProblem(publicKey: Uint8Array): string | null {
  if (publicKey.length !== 32) return 'an identity key is 32 bytes';
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return 'the identity key is not a point on Ed25519';
  }
  if (point.isSmallOrder()) return 'the identity key is of small order';
  const encoded = point.toBytes();
  if (encoded.some((byte, index) => byte !== publicKey[index])) return 'the identity key is not canonically encoded';
  return null;
}

export function isAcceptableIdentityKey(publicKey: Uint8Array): boolean {
  return identityKeyProblem(publicKey) === null;
}

/** Strict Ed25519 verification (no ZIP-215 leniency); false, never a throw, for malformed input. */
export function verifyIdentitySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return signature.length === 64 && isAcceptableIdentityKey(publicKey) && ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
