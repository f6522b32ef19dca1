// What users compare to know they talk to each other and to no one in the middle.
//
// Security code: SHA-256("softphone/e2ee/security-code/v1" || handshake hash); its first 20 bytes
// are four 40-bit big-endian numbers, each shown as 5 digits (mod 100000; the bias is below 1e-7).
// Both ends of one Noise handshake share the handshake hash; a man in the middle runs two
// handshakes with different hashes, so the two ends show different codes.
// Fingerprint: the first 16 bytes of SHA-256(public key) as 8 groups of 4 hex digits.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, fromBase64Url, utf8ToBytes } from '../encoding';

export const SECURITY_CODE_DOMAIN = 'softphone/e2ee/security-code/v1';
/** Groups of digits in a security code. */
const CODE_GROUPS = 4;
/** Digits per group. */
const GROUP_DIGITS = 5;
/** Digest bytes per group: a 40-bit number, reduced mod 10^5. */
const GROUP_BYTES = 5;
export const SECURITY_CODE_DIGITS = CODE_GROUPS * GROUP_DIGITS;

/** 20 decimal digits derived from a Noise handshake hash. */
export function securityCode(handshakeHash: Uint8Array): string {
  if (handshakeHash.length < 32) throw new RangeError('a handshake hash has at least 32 bytes');
  const digest = sha256(concatBytes(utf8ToBytes(SECURITY_CODE_DOMAIN), handshakeHash));
  let code = '';
  for (let group = 0; group < CODE_GROUPS; group++) {
    let value = 0;
    for (let i = 0; i < GROUP_BYTES; i++) value = value * 256 + (digest[group * GROUP_BYTES + i] as number);
    code += String(value % 10 ** GROUP_DIGITS).padStart(GROUP_DIGITS, '0');
  }
  return code;
}

/** A public key (bytes, or unpadded base64url) as users see it: "1a2b 3c4d … (8 groups)". */
export function fingerprint(publicKey: Uint8Array | string): string {
  const bytes = typeof publicKey === 'string' ? fromBase64Url(publicKey) : publicKey;
  const hex = bytesToHex(sha256(bytes).subarray(0, 16));
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 4) groups.push(hex.slice(i, i + 4));
  return groups.join(' ');
}
