import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../encoding';
import { SECURITY_CODE_DIGITS, fingerprint, securityCode } from './securityCode';

describe('securityCode', () => {
  it('is 20 digits, deterministic, and changes with the handshake hash', () => {
    const h = new Uint8Array(32).fill(7);
    const code = securityCode(h);
    expect(code).toMatch(/^\d{20}$/);
    expect(SECURITY_CODE_DIGITS).toBe(20);
    expect(securityCode(h.slice())).toBe(code);
    const other = h.slice();
    other[31] = 8;
    expect(securityCode(other)).not.toBe(code);
  });

  it('pins the derivation (domain-separated SHA-256, four 40-bit groups mod 100000)', () => {
    // Computed independently with Python's hashlib.
    expect(securityCode(new Uint8Array(32))).toBe('73880664363179247620');
  });

  it('refuses short input', () => {
    expect(() => securityCode(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('fingerprint', () => {
  it('shows 8 groups of 4 hex digits, the same for bytes and base64url', () => {
    const key = ed25519.getPublicKey(new Uint8Array(32).fill(1));
    expect(fingerprint(key)).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/);
    expect(fingerprint(toBase64Url(key))).toBe(fingerprint(key));
    expect(fingerprint(new Uint8Array(32))).toBe('6668 7aad f862 bd77 6c8f c18b 8e9f 8e20');
  });
});
