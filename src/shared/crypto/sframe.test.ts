import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../encoding';
import hkdfVectors from './fixtures/hkdf-rfc5869.json';
import sframeVectors from './fixtures/sframe-rfc9605.json';
import {
  CIPHER_SUITES,
  SFrameContext,
  SFrameError,
  SFrameKey,
  cipherSuite,
  createAead,
  decodeHeader,
  deriveKeySalt,
  deriveSubkeys,
  encodeHeader,
  ratchetBaseKey,
  sframeKeyLabel,
  sframeSaltLabel,
  sframeSecret,
  type SubtleAesGcm,
} from './sframe';

const hex = hexToBytes;

describe('HKDF-SHA256 (RFC 5869 test cases 1–3)', () => {
  it.each(hkdfVectors.vectors)('test case $tc', (v) => {
    const prk = extract(sha256, hex(v.ikm), hex(v.salt));
    expect(bytesToHex(prk)).toBe(v.prk);
    expect(bytesToHex(expand(sha256, prk, hex(v.info), v.L))).toBe(v.okm);
    expect(bytesToHex(hkdf(sha256, hex(v.ikm), hex(v.salt), hex(v.info), v.L))).toBe(v.okm);
  });
});

describe('cipher suites', () => {
  it('match RFC 9605 Table 1', () => {
    for (const row of sframeVectors.cipher_suites) {
      const { name, Nh, Nka, Nk, Nn, Nt } = cipherSuite(row.id);
      expect({ id: row.id, name, Nh, Nka, Nk, Nn, Nt }).toEqual(row);
      expect(cipherSuite(row.id).hash.outputLen).toBe(Nh);
    }
    expect(Object.keys(CIPHER_SUITES)).toHaveLength(5);
  });

  it('rejects unknown suites', () => {
    expect(() => cipherSuite(6)).toThrow(/unknown SFrame cipher suite 6/);
  });
});

describe('header (RFC 9605 C.1)', () => {
  it(`encodes and decodes all ${sframeVectors.header.length} vectors`, () => {
    expect(sframeVectors.header).toHaveLength(289);
    for (const v of sframeVectors.header) {
      const kid = BigInt(v.kid);
      const ctr = BigInt(v.ctr);
      expect(bytesToHex(encodeHeader(kid, ctr))).toBe(v.encoded);
      expect(decodeHeader(hex(v.encoded))).toEqual({ kid, ctr, length: v.encoded.length / 2 });
    }
  });

  it('decodes only the header at the start of a longer frame', () => {
    expect(decodeHeader(hex('9901234567ffee'))).toEqual({ kid: 0x123n, ctr: 0x4567n, length: 5 });
  });

  const malformed: [string, string, RegExp][] = [
    ['an empty frame', '', /empty frame/],
    ['a truncated KID', '9801', /truncated: the KID needs 2 bytes, 1 present/],
    ['a truncated CTR', '0901', /truncated: the CTR needs 2 bytes, 1 present/],
    ['a missing 8-byte KID', 'f0', /truncated: the KID needs 8 bytes, 0 present/],
    ['a KID with a leading zero byte', '900012', /KID has a leading zero byte/],
    ['a CTR with a leading zero byte', '09000c', /CTR has a leading zero byte/],
    ['a small KID in extended form', '8005', /KID 5 is in extended form/],
    ['a small CTR in extended form', '0807', /CTR 7 is in extended form/],
  ];
  it.each(malformed)('rejects %s', (_what, bytes, message) => {
    expect(() => decodeHeader(hex(bytes))).toThrow(message);
    try {
      decodeHeader(hex(bytes));
    } catch (error) {
      expect(error).toBeInstanceOf(SFrameError);
      expect((error as SFrameError).code).toBe('malformed');
    }
  });

  it('refuses values outside 64 bits', () => {
    expect(() => encodeHeader(-1n, 0n)).toThrow(RangeError);
    expect(() => encodeHeader(0n, 1n << 64n)).toThrow(/CTR must be a 64-bit unsigned integer/);
  });
});

describe('AES-CTR-HMAC AEAD (RFC 9605 C.2)', () => {
  it.each(sframeVectors.aes_ctr_hmac)('$cipher_suite_name', (v) => {
    const suite = cipherSuite(v.cipher_suite);
    const { encKey, authKey } = deriveSubkeys(suite, hex(v.key));
    expect(bytesToHex(encKey)).toBe(v.enc_key);
    expect(bytesToHex(authKey)).toBe(v.auth_key);

    const aead = createAead(suite, hex(v.key));
    const pt = hex(v.pt);
    const out = new Uint8Array(pt.length + aead.tagLength);
    aead.seal(hex(v.nonce), hex(v.aad), pt, out);
    expect(bytesToHex(out)).toBe(v.ct);
    expect(bytesToHex(aead.open(hex(v.nonce), hex(v.aad), hex(v.ct)))).toBe(v.pt);
    // The keyed HMAC state is reused across frames: a second round must give the same answers.
    aead.seal(hex(v.nonce), hex(v.aad), pt, out);
    expect(bytesToHex(out)).toBe(v.ct);

    const tampered = hex(v.ct);
    tampered[0] = (tampered[0] as number) ^ 1;
    expect(() => aead.open(hex(v.nonce), hex(v.aad), tampered)).toThrow(SFrameError);
    expect(() => aead.open(hex(v.nonce), hex('00'), hex(v.ct))).toThrow(/authentication failed/);
  });
});

describe('base key ratchet (RFC 9605 §5.1)', () => {
  it('is HKDF-Expand(HKDF-Extract("", base_key), "SFrame 1.0 Ratchet", Nh)', () => {
    // Expected values computed independently with Python's hmac and hashlib.
    const baseKey = hex('000102030405060708090a0b0c0d0e0f');
    expect(bytesToHex(ratchetBaseKey(cipherSuite(4), baseKey))).toBe('fb75d8d5782da6c6cbf18ac43eca5da9e47f7e6ac7926a78e486226bd2af0f87');
    expect(bytesToHex(ratchetBaseKey(cipherSuite(5), baseKey))).toBe(
      '895fe5603750295ccbe0d5ed9745617b46e9cf9b428179b8f29f3147492bb08faa190560720ee0e4570760b64e7d5931120c391b7c7becc429ea35a9d07475aa',
    );
  });
});

describe('SFrame encryption (RFC 9605 C.3)', () => {
  it.each(sframeVectors.sframe)('$cipher_suite_name: every intermediate value', (v) => {
    const suite = cipherSuite(v.cipher_suite);
    const kid = BigInt(v.kid);
    const ctr = BigInt(v.ctr);
    const baseKey = hex(v.base_key);
    expect(bytesToHex(sframeKeyLabel(kid, suite))).toBe(v.sframe_key_label);
    expect(bytesToHex(sframeSaltLabel(kid, suite))).toBe(v.sframe_salt_label);
    expect(bytesToHex(sframeSecret(suite, baseKey))).toBe(v.sframe_secret);
    const { key, salt } = deriveKeySalt(suite, kid, baseKey);
    expect(bytesToHex(key)).toBe(v.sframe_key);
    expect(bytesToHex(salt)).toBe(v.sframe_salt);
    expect(bytesToHex(new SFrameKey(suite, kid, baseKey).nonce(ctr))).toBe(v.nonce);
    expect(bytesToHex(concatBytes(encodeHeader(kid, ctr), hex(v.metadata)))).toBe(v.aad);
  });
});

// The frame path on both AEADs: @noble/ciphers, and WebCrypto (Node's crypto.subtle) for AES-GCM.
const BACKENDS: [string, SubtleAesGcm | undefined][] = [
  ['@noble/ciphers', undefined],
  ['WebCrypto', globalThis.crypto.subtle],
];

describe.each(BACKENDS)('SFrame frames with %s (RFC 9605 C.3)', (_backend, subtle) => {
  it.each(sframeVectors.sframe)('$cipher_suite_name: encrypt and decrypt', async (v) => {
    const context = new SFrameContext(cipherSuite(v.cipher_suite).id, subtle);
    const kid = BigInt(v.kid);
    context.addKey(kid, hex(v.base_key));
    const ct = await context.encrypt(BigInt(v.ctr), kid, hex(v.metadata), hex(v.pt));
    expect(bytesToHex(ct)).toBe(v.ct);
    const opened = await context.decrypt(hex(v.metadata), hex(v.ct));
    expect(opened).toEqual({ kid, ctr: BigInt(v.ctr), plaintext: hex(v.pt) });
    // The cached key state serves any number of frames.
    expect(bytesToHex(await context.encrypt(BigInt(v.ctr), kid, hex(v.metadata), hex(v.pt)))).toBe(v.ct);
  });

  it.each(sframeVectors.sframe)('$cipher_suite_name: rejects tampering', async (v) => {
    const context = new SFrameContext(cipherSuite(v.cipher_suite).id, subtle);
    context.addKey(BigInt(v.kid), hex(v.base_key));
    const code = async (operation: () => Promise<unknown>): Promise<string | undefined> => {
      try {
        await operation();
      } catch (error) {
        return error instanceof SFrameError ? error.code : 'other';
      }
      return undefined;
    };
    const ct = hex(v.ct);
    for (const index of [0, 3, 5, ct.length - 1]) {
      const tampered = ct.slice();
      tampered[index] = (tampered[index] as number) ^ 0x40;
      expect(await code(() => context.decrypt(hex(v.metadata), tampered)), `byte ${index}`).not.toBeUndefined();
    }
    expect(await code(() => context.decrypt(hex('00'), ct))).toBe('auth');
    expect(await code(() => context.decrypt(hex(v.metadata), ct.slice(0, 8)))).toBe('malformed');
    expect(await code(() => context.decrypt(hex(v.metadata), encodeHeader(7n, 1n)))).toBe('unknown-key');
  });

  it('handles empty plaintexts and 64-bit KID/CTR values', async () => {
    for (const suite of [1, 2, 3, 4, 5] as const) {
      const context = new SFrameContext(suite, subtle);
      const kid = (1n << 64n) - 1n;
      context.addKey(kid, new Uint8Array(16).fill(9));
      const frame = await context.encrypt(kid - 1n, kid, new Uint8Array(0), new Uint8Array(0));
      expect(frame).toHaveLength(17 + CIPHER_SUITES[suite].Nt);
      expect((await context.decrypt(new Uint8Array(0), frame)).plaintext).toEqual(new Uint8Array(0));
    }
  });

  it('wipes keys it is done with', async () => {
    const context = new SFrameContext(4, subtle);
    context.addKey(1n, new Uint8Array(16));
    const frame = await context.encrypt(0n, 1n, new Uint8Array(0), new Uint8Array(4));
    context.removeKey(1n);
    await expect(context.decrypt(new Uint8Array(0), frame)).rejects.toThrow(/no SFrame key for KID 1/);
  });
});

describe('WebCrypto AES-GCM against @noble/ciphers, byte for byte', () => {
  // Frame sizes around AES blocks and the ones a call carries: Opus (~80 B), VP8 delta (~5 KB) and
  // key frames (~60 KB).
  const sizes = [0, 1, 15, 16, 17, 80, 255, 1200, 5000, 16_384, 60_000, 70_001];
  const pseudoRandom = (length: number, seed: number): Uint8Array<ArrayBuffer> => {
    let state = seed;
    return Uint8Array.from({ length }, () => (state = (state * 1103515245 + 12345) & 0x7fffffff) >>> 23);
  };

  it.each([4, 5] as const)('suite %i: same frames, each opens the other’s', async (suite) => {
    const noble = new SFrameContext(suite);
    const webCrypto = new SFrameContext(suite, globalThis.crypto.subtle);
    for (const [i, size] of sizes.entries()) {
      const kid = BigInt(i * 1000);
      const baseKey = pseudoRandom(32, i + 1);
      noble.addKey(kid, baseKey);
      webCrypto.addKey(kid, baseKey);
      const plaintext = pseudoRandom(size, 7 * i + 3);
      const metadata = i % 3 === 0 ? pseudoRandom(i, 11) : new Uint8Array(0);
      const ctr = BigInt(i) ** 5n;
      const fromNoble = await noble.encrypt(ctr, kid, metadata, plaintext);
      const fromWebCrypto = await webCrypto.encrypt(ctr, kid, metadata, plaintext);
      expect(bytesToHex(fromWebCrypto), `${size} bytes`).toBe(bytesToHex(fromNoble));
      expect((await webCrypto.decrypt(metadata, fromNoble)).plaintext).toEqual(plaintext);
      expect((await noble.decrypt(metadata, fromWebCrypto)).plaintext).toEqual(plaintext);
    }
  });
});
