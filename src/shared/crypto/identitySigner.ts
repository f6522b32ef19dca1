// This device's identity as the call security code uses it: something that signs with the Ed25519
// identity key, and the X25519 secret of the call handshake's static key. The desktop app and a
// browser without WebCrypto Ed25519 sign with the seed (@noble/curves); the web client, where the
// browser has it, signs with a non-extractable WebCrypto key (renderer/host/webIdentityKey.ts), so
// page script can sign but never read the signing key. The handshake's static key is the X25519
// form of the identity key (see e2ee/handshake.ts) and the handshake computes with it in script, so
// that secret stays readable.
import { ed25519 } from '@noble/curves/ed25519.js';

export interface IdentitySigner {
  /** The Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** An Ed25519 signature (RFC 8032) of `message`. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** A copy of the X25519 secret of the handshake's static key; the caller zeroes it after use. */
  handshakeSecret(): Uint8Array;
}

/** Signs with a 32-byte Ed25519 seed held in memory (a copy of `seed`). */
export function seedSigner(seed: Uint8Array): IdentitySigner {
  if (seed.length !== 32) throw new Error('an identity seed is 32 bytes');
  const secret = seed.slice();
  return {
    publicKey: ed25519.getPublicKey(secret),
    sign: async (message) => ed25519.sign(message, secret),
    handshakeSecret: () => ed25519.utils.toMontgomerySecret(secret),
  };
}
