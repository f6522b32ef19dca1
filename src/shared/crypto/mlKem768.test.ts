// ML-KEM-768 (FIPS 203) as the hybrid call handshake uses it, from @noble/post-quantum: checked
// against NIST's ACVP known answers and against an independent implementation (the `mlkem`
// package, which shares no code or hash library with @noble).
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { createMlKem768 } from 'mlkem';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../encoding';
import acvp from './fixtures/ml-kem-768-acvp.json';

describe('ML-KEM-768 against the NIST ACVP vectors', () => {
  it.each(acvp.keyGen)('keyGen tcId $tcId: (d, z) → encapsulation and decapsulation keys', (v) => {
    const { publicKey, secretKey } = ml_kem768.keygen(concatBytes(hexToBytes(v.d), hexToBytes(v.z)));
    expect(bytesToHex(publicKey)).toBe(v.ek);
    expect(bytesToHex(secretKey)).toBe(v.dk);
  });

  it.each(acvp.encapsulation)('encapsulation tcId $tcId: (ek, m) → ciphertext and shared secret', (v) => {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(hexToBytes(v.ek), hexToBytes(v.m));
    expect(bytesToHex(cipherText)).toBe(v.c);
    expect(bytesToHex(sharedSecret)).toBe(v.k);
  });

  it.each(acvp.decapsulation)('decapsulation tcId $tcId: (dk, c) → shared secret', (v) => {
    expect(bytesToHex(ml_kem768.decapsulate(hexToBytes(v.c), hexToBytes(v.dk)))).toBe(v.k);
  });

  it.each(acvp.encapsulationKeyCheck)('encapsulation key check tcId $tcId: valid = $valid', (v) => {
    // FIPS 203 §7.2: encapsulation refuses a key whose coefficients are not reduced mod q.
    const encapsulate = () => ml_kem768.encapsulate(hexToBytes(v.ek));
    if (v.valid) expect(encapsulate).not.toThrow();
    else expect(encapsulate).toThrow();
  });

  it('covers both outcomes of the key check', () => {
    expect(new Set(acvp.encapsulationKeyCheck.map((v) => v.valid))).toEqual(new Set([true, false]));
  });
});

describe('ML-KEM-768 cross-checked against an independent implementation', () => {
  const seeds = [1, 2, 3].map((fill) => ({ keySeed: new Uint8Array(64).fill(fill), message: new Uint8Array(32).fill(fill + 100) }));

  it.each(seeds)('same keys, ciphertexts and secrets both ways (seed fill $message.0)', async ({ keySeed, message }) => {
    const other = await createMlKem768();
    const noble = ml_kem768.keygen(keySeed);
    const [otherPublic, otherSecret] = other.deriveKeyPair(keySeed);
    expect(bytesToHex(otherPublic)).toBe(bytesToHex(noble.publicKey));
    expect(bytesToHex(otherSecret)).toBe(bytesToHex(noble.secretKey));

    // noble encapsulates, the other decapsulates; and the other way round.
    const nobleSent = ml_kem768.encapsulate(otherPublic, message);
    expect(bytesToHex(other.decap(nobleSent.cipherText, otherSecret))).toBe(bytesToHex(nobleSent.sharedSecret));
    const [otherCiphertext, otherShared] = other.encap(noble.publicKey, message);
    expect(bytesToHex(otherCiphertext)).toBe(bytesToHex(nobleSent.cipherText));
    expect(bytesToHex(ml_kem768.decapsulate(otherCiphertext, noble.secretKey))).toBe(bytesToHex(otherShared));
  });

  it('agrees on implicit rejection: an altered ciphertext gives both the same unrelated secret', async () => {
    const other = await createMlKem768();
    const { publicKey, secretKey } = ml_kem768.keygen(new Uint8Array(64).fill(7));
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey);
    const altered = cipherText.slice();
    altered[100] = (altered[100] as number) ^ 1;
    const rejected = ml_kem768.decapsulate(altered, secretKey);
    expect(bytesToHex(rejected)).not.toBe(bytesToHex(sharedSecret));
    expect(bytesToHex(other.decap(altered, secretKey))).toBe(bytesToHex(rejected));
  });

  it('has the sizes the handshake relies on', () => {
    expect(ml_kem768.lengths).toMatchObject({ publicKey: 1184, cipherText: 1088 });
  });
});
