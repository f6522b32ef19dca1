import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { identityKeyProblem, verifyIdentitySignature } from './identityKey';

/** The 32-byte little-endian encoding of y with the x sign bit `sign`. */
function encode(y: bigint, sign = 0): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0, rest = y; i < 32; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
  bytes[31]! |= sign << 7;
  return bytes;
}
const P = 2n ** 255n - 19n;
const IDENTITY = encode(1n);

describe('identity keys', () => {
  it('accepts a real key', () => {
    expect(identityKeyProblem(ed25519.getPublicKey(ed25519.utils.randomSecretKey()))).toBeNull();
  });

  it('refuses small-order points, non-canonical encodings and non-points', () => {
    expect(identityKeyProblem(IDENTITY)).toMatch(/small order/);
    expect(identityKeyProblem(encode(P - 1n))).toMatch(/small order/); // (0, -1), order 2
    expect(identityKeyProblem(encode(1n + P))).not.toBeNull(); // the identity again, y not reduced
    expect(identityKeyProblem(encode(1n, 1))).not.toBeNull(); // x = 0 with the sign bit set
    expect(identityKeyProblem(encode(2n))).toMatch(/not a point/);
    expect(identityKeyProblem(new Uint8Array(31))).toMatch(/32 bytes/);
  });

  it('verifies strictly: a constant signature under a small-order key does not verify', () => {
    const forged = new Uint8Array(64);
    forged.set(IDENTITY);
    const message = new TextEncoder().encode('softphone/login/v1\nanything');
    expect(ed25519.verify(forged, message, IDENTITY)).toBe(true); // the lenient default would let it in
    expect(verifyIdentitySignature(forged, message, IDENTITY)).toBe(false);
    const secret = ed25519.utils.randomSecretKey();
    expect(verifyIdentitySignature(ed25519.sign(message, secret), message, ed25519.getPublicKey(secret))).toBe(true);
    expect(verifyIdentitySignature(new Uint8Array(10), message, ed25519.getPublicKey(secret))).toBe(false);
  });
});
