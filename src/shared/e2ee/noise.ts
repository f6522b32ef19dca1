// The Noise Protocol Framework (revision 34): CipherState, SymmetricState and HandshakeState for
// the X25519 handshakes this project can use (XX, and IK which the test vectors also cover), with
// AES-GCM or ChaCha20-Poly1305 and SHA-256, SHA-512, BLAKE2s or BLAKE2b. Primitives come from
// @noble; this module only runs the state machine the specification describes.
//
// XXhfs is XX with the "hfs" modifier of "KEM-based Hybrid Forward Secrecy for Noise" (revision 1)
// and ML-KEM-768 (FIPS 203) as its KEM, named "Noise_XXhfs_25519+MLKEM768_<cipher>_<hash>":
//   -> e, e1
//   <- e, ee, ekem1, s, es
//   -> s, se
// "e1" sends a fresh KEM public key like a static key (EncryptAndHash, in clear in message 1);
// "ekem1" sends the encapsulation to it the same way, encrypted under the ee key, and both sides
// then MixKey the KEM shared secret. Every key after message 2 depends on both X25519 and ML-KEM.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2b, blake2s } from '@noble/hashes/blake2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { concatBytes } from '../encoding';

export type NoiseErrorKind = 'decrypt' | 'invalid-key' | 'length' | 'state';

export class NoiseError extends Error {
  constructor(
    readonly kind: NoiseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'NoiseError';
  }
}

const DHLEN = 32;
const KEM_PUBLIC_KEY_LENGTH = 1184;
const KEM_CIPHERTEXT_LENGTH = 1088;
const TAGLEN = 16;
const MAX_MESSAGE_LENGTH = 65535;
const EMPTY = new Uint8Array(0);

// ---- algorithms ------------------------------------------------------------------------------

type Aead = (
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
) => {
  encrypt(data: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array): Uint8Array;
};

interface NoiseCipher {
  readonly aead: Aead;
  /** 32 bits of zeros, then the 64-bit counter in the cipher's byte order. */
  readonly littleEndianNonce: boolean;
}

const CIPHERS = new Map<string, NoiseCipher>([
  ['AESGCM', { aead: gcm, littleEndianNonce: false }],
  ['ChaChaPoly', { aead: chacha20poly1305, littleEndianNonce: true }],
]);

const HASHES = new Map<string, CHash>([
  ['SHA256', sha256],
  ['SHA512', sha512],
  ['BLAKE2s', blake2s],
  ['BLAKE2b', blake2b],
]);

type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'e1' | 'ekem1';

interface HandshakePattern {
  /** Keys known before the handshake: only the responder's static, for IK. */
  readonly responderPreMessage: readonly 's'[];
  readonly messages: readonly (readonly Token[])[];
  /** True for the hfs patterns, whose DH name section is "25519+MLKEM768". */
  readonly kem: boolean;
}

const PATTERNS = new Map<string, HandshakePattern>([
  ['XX', { responderPreMessage: [], messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']], kem: false }],
  [
    'XXhfs',
    {
      responderPreMessage: [],
      messages: [
        ['e', 'e1'],
        ['e', 'ee', 'ekem1', 's', 'es'],
        ['s', 'se'],
      ],
      kem: true,
    },
  ],
  [
    'IK',
    {
      responderPreMessage: ['s'],
      messages: [
        ['e', 'es', 's', 'ss'],
        ['e', 'ee', 'se'],
      ],
      kem: false,
    },
  ],
]);

export interface NoiseProtocol {
  readonly name: string;
  readonly pattern: HandshakePattern;
  readonly cipher: NoiseCipher;
  readonly hash: CHash;
}

/**
 * Reads "Noise_<pattern>_25519_<cipher>_<hash>" for the patterns and algorithms above, with
 * "25519+MLKEM768" as the DH name section of an hfs pattern.
 */
export function noiseProtocol(name: string): NoiseProtocol {
  const parts = name.split('_');
  const pattern = PATTERNS.get(parts[1] ?? '');
  const cipher = CIPHERS.get(parts[3] ?? '');
  const hash = HASHES.get(parts[4] ?? '');
  const dhName = pattern?.kem ? '25519+MLKEM768' : '25519';
  if (parts.length !== 5 || parts[0] !== 'Noise' || parts[2] !== dhName || !pattern || !cipher || !hash) {
    throw new NoiseError('state', `unsupported Noise protocol ${name}`);
  }
  return { name, pattern, cipher, hash };
}

/** Encapsulates to the peer's KEM public key; FIPS 203's input check refuses a malformed one. */
function kemEncapsulate(publicKey: Uint8Array, randomness: Uint8Array | undefined): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  try {
    return ml_kem768.encapsulate(publicKey, randomness);
  } catch {
    throw new NoiseError('invalid-key', 'the peer sent an invalid ML-KEM-768 public key');
  }
}

function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    throw new NoiseError('invalid-key', 'the peer sent an invalid X25519 public key');
  }
}

// ---- CipherState -----------------------------------------------------------------------------

export class CipherState {
  private key: Uint8Array | null = null;
  private n = 0;
  private readonly nonceBytes = new Uint8Array(12);
  private readonly nonceView = new DataView(this.nonceBytes.buffer);

  constructor(private readonly cipher: NoiseCipher) {}

  initializeKey(key: Uint8Array | null): void {
    this.key?.fill(0);
    this.key = key;
    this.n = 0;
  }

  hasKey(): boolean {
    return this.key !== null;
  }

  private nonce(): Uint8Array {
    // The counter stays far below 2^53 in practice; refusing there keeps every nonce exact.
    if (this.n >= Number.MAX_SAFE_INTEGER) throw new NoiseError('state', 'Noise nonce exhausted: rekey or start over');
    this.nonceView.setBigUint64(4, BigInt(this.n), this.cipher.littleEndianNonce);
    return this.nonceBytes;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.key) return plaintext.slice();
    const ciphertext = this.cipher.aead(this.key, this.nonce(), ad).encrypt(plaintext);
    this.n++;
    return ciphertext;
  }

  /** Decrypts, or throws NoiseError 'decrypt' and leaves the nonce where it was. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.key) return ciphertext.slice();
    let plaintext: Uint8Array;
    try {
      plaintext = this.cipher.aead(this.key, this.nonce(), ad).decrypt(ciphertext);
    } catch (error) {
      if (error instanceof NoiseError) throw error;
      throw new NoiseError('decrypt', 'Noise message did not authenticate');
    }
    this.n++;
    return plaintext;
  }

  wipe(): void {
    this.initializeKey(null);
  }
}

// ---- SymmetricState --------------------------------------------------------------------------

export class SymmetricState {
  private readonly hash: CHash;
  private ck: Uint8Array;
  private h: Uint8Array;
  readonly cipherState: CipherState;

  constructor(protocol: NoiseProtocol) {
    this.hash = protocol.hash;
    const name = new TextEncoder().encode(protocol.name);
    if (name.length <= this.hash.outputLen) {
      this.h = new Uint8Array(this.hash.outputLen);
      this.h.set(name);
    } else {
      this.h = this.hash(name);
    }
    this.ck = this.h.slice();
    this.cipherState = new CipherState(protocol.cipher);
  }

  /** HKDF(ck, ikm, 2) of the specification (RFC 5869 HKDF with ck as salt): two HASHLEN outputs. */
  private derive(ikm: Uint8Array): [Uint8Array, Uint8Array] {
    const hashLen = this.hash.outputLen;
    const okm = hkdf(this.hash, ikm, this.ck, EMPTY, 2 * hashLen);
    const outputs: [Uint8Array, Uint8Array] = [okm.slice(0, hashLen), okm.slice(hashLen)];
    okm.fill(0);
    return outputs;
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempKey] = this.derive(ikm);
    this.ck.fill(0);
    this.ck = ck;
    this.cipherState.initializeKey(tempKey.slice(0, 32));
    tempKey.fill(0);
  }

  mixHash(data: Uint8Array): void {
    this.h = this.hash.create().update(this.h).update(data).digest();
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipherState.encryptWithAd(this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipherState.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): the two transport keys (first for initiator → responder), 32 bytes each. */
  split(): [Uint8Array, Uint8Array] {
    const [k1, k2] = this.derive(EMPTY);
    const keys: [Uint8Array, Uint8Array] = [k1.slice(0, 32), k2.slice(0, 32)];
    k1.fill(0);
    k2.fill(0);
    return keys;
  }

  handshakeHash(): Uint8Array {
    return this.h.slice();
  }

  wipe(): void {
    this.ck.fill(0);
    this.cipherState.wipe();
  }
}

// ---- HandshakeState --------------------------------------------------------------------------

export interface HandshakeOptions {
  /** e.g. "Noise_XX_25519_AESGCM_SHA256". */
  protocolName: string;
  initiator: boolean;
  prologue?: Uint8Array;
  /** This side's static X25519 secret key, when the pattern has one. */
  staticSecret?: Uint8Array;
  /** The peer's static X25519 public key when known in advance (IK's initiator). */
  remoteStatic?: Uint8Array;
  /** Makes ephemeral X25519 secret keys; random by default (tests pass fixed ones). */
  generateEphemeral?: () => Uint8Array;
  /** hfs: makes the 64-byte seed (d ‖ z) of the ephemeral ML-KEM key pair; random by default. */
  generateKemSeed?: () => Uint8Array;
  /** hfs: makes the 32-byte randomness of the encapsulation; random by default. */
  generateEncapsulationRandomness?: () => Uint8Array;
}

interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

function keyPair(secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export interface TransportKeys {
  readonly initiatorToResponder: Uint8Array;
  readonly responderToInitiator: Uint8Array;
}

export class HandshakeState {
  private readonly protocol: NoiseProtocol;
  private readonly symmetric: SymmetricState;
  private readonly initiator: boolean;
  private readonly generateEphemeral: () => Uint8Array;
  private readonly generateKemSeed: (() => Uint8Array) | undefined;
  private readonly generateEncapsulationRandomness: (() => Uint8Array) | undefined;
  private readonly s: KeyPair | null;
  private e: KeyPair | null = null;
  private rs: Uint8Array | null;
  private re: Uint8Array | null = null;
  /** hfs: this side's ephemeral KEM key pair (initiator), or the peer's KEM public key (responder). */
  private e1: KeyPair | null = null;
  private re1: Uint8Array | null = null;
  private index = 0;
  private failed = false;

  constructor(options: HandshakeOptions) {
    this.protocol = noiseProtocol(options.protocolName);
    this.initiator = options.initiator;
    this.generateEphemeral = options.generateEphemeral ?? (() => x25519.utils.randomSecretKey());
    this.generateKemSeed = options.generateKemSeed;
    this.generateEncapsulationRandomness = options.generateEncapsulationRandomness;
    this.s = options.staticSecret ? keyPair(options.staticSecret.slice()) : null;
    this.rs = options.remoteStatic?.slice() ?? null;
    const needsStatic = this.protocol.pattern.messages.some((tokens, i) => tokens.includes('s') && i % 2 === (this.initiator ? 0 : 1));
    const responderStatic = this.protocol.pattern.responderPreMessage.length > 0;
    if ((needsStatic || (responderStatic && !this.initiator)) && !this.s) {
      throw new NoiseError('state', `${this.protocol.name} needs this side's static key`);
    }
    if (responderStatic && this.initiator && !this.rs) {
      throw new NoiseError('state', `${this.protocol.name} needs the responder's static key in advance`);
    }

    this.symmetric = new SymmetricState(this.protocol);
    this.symmetric.mixHash(options.prologue ?? EMPTY);
    if (responderStatic) {
      this.symmetric.mixHash(this.initiator ? (this.rs as Uint8Array) : (this.s as KeyPair).publicKey);
    }
  }

  /** True once every handshake message has been written or read. */
  get complete(): boolean {
    return this.index === this.protocol.pattern.messages.length;
  }

  /** The peer's static public key once a message carried it (or it was known in advance). */
  get remoteStaticKey(): Uint8Array | null {
    return this.rs?.slice() ?? null;
  }

  handshakeHash(): Uint8Array {
    return this.symmetric.handshakeHash();
  }

  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    const tokens = this.nextTokens(true);
    return this.guard(() => {
      const parts: Uint8Array[] = [];
      for (const token of tokens) {
        if (token === 'e') {
          this.e = keyPair(this.generateEphemeral());
          parts.push(this.e.publicKey);
          this.symmetric.mixHash(this.e.publicKey);
        } else if (token === 's') {
          parts.push(this.symmetric.encryptAndHash((this.s as KeyPair).publicKey));
        } else if (token === 'e1') {
          const seed = this.generateKemSeed?.();
          this.e1 = ml_kem768.keygen(seed);
          seed?.fill(0);
          parts.push(this.symmetric.encryptAndHash(this.e1.publicKey));
        } else if (token === 'ekem1') {
          if (!this.re1) throw new NoiseError('state', 'Noise token ekem1 is missing the peer’s KEM key');
          const { cipherText, sharedSecret } = kemEncapsulate(this.re1, this.generateEncapsulationRandomness?.());
          parts.push(this.symmetric.encryptAndHash(cipherText));
          this.symmetric.mixKey(sharedSecret);
          sharedSecret.fill(0);
        } else {
          this.mixDh(token);
        }
      }
      parts.push(this.symmetric.encryptAndHash(payload));
      const message = concatBytes(...parts);
      if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('length', 'Noise message longer than 65535 bytes');
      this.index++;
      return message;
    });
  }

  /** Processes the peer's next handshake message and returns its payload. */
  readMessage(message: Uint8Array): Uint8Array {
    const tokens = this.nextTokens(false);
    return this.guard(() => {
      if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('length', 'Noise message longer than 65535 bytes');
      let offset = 0;
      const take = (length: number, what: string): Uint8Array => {
        if (message.length < offset + length) {
          throw new NoiseError('length', `Noise message too short for its ${what}`);
        }
        offset += length;
        return message.subarray(offset - length, offset);
      };
      for (const token of tokens) {
        if (token === 'e') {
          this.re = take(DHLEN, 'ephemeral key').slice();
          this.symmetric.mixHash(this.re);
        } else if (token === 's') {
          const length = DHLEN + (this.symmetric.cipherState.hasKey() ? TAGLEN : 0);
          this.rs = this.symmetric.decryptAndHash(take(length, 'static key'));
        } else if (token === 'e1') {
          const length = KEM_PUBLIC_KEY_LENGTH + (this.symmetric.cipherState.hasKey() ? TAGLEN : 0);
          this.re1 = this.symmetric.decryptAndHash(take(length, 'KEM public key'));
        } else if (token === 'ekem1') {
          if (!this.e1) throw new NoiseError('state', 'Noise token ekem1 is missing this side’s KEM key');
          const length = KEM_CIPHERTEXT_LENGTH + (this.symmetric.cipherState.hasKey() ? TAGLEN : 0);
          const cipherText = this.symmetric.decryptAndHash(take(length, 'KEM ciphertext'));
          const sharedSecret = ml_kem768.decapsulate(cipherText, this.e1.secretKey);
          this.symmetric.mixKey(sharedSecret);
          sharedSecret.fill(0);
        } else {
          this.mixDh(token);
        }
      }
      const payloadLength = message.length - offset;
      if (this.symmetric.cipherState.hasKey() && payloadLength < TAGLEN) {
        throw new NoiseError('length', 'Noise message too short for its payload tag');
      }
      const payload = this.symmetric.decryptAndHash(message.subarray(offset));
      this.index++;
      return payload;
    });
  }

  /** Split(): both transport keys. Only after the handshake completed. */
  splitKeys(): TransportKeys {
    if (!this.complete || this.failed) throw new NoiseError('state', 'the Noise handshake is not complete');
    const [initiatorToResponder, responderToInitiator] = this.symmetric.split();
    return { initiatorToResponder, responderToInitiator };
  }

  /** Transport CipherStates for this side: one to send with, one to receive with. */
  split(): { send: CipherState; receive: CipherState } {
    const keys = this.splitKeys();
    const toResponder = new CipherState(this.protocol.cipher);
    const toInitiator = new CipherState(this.protocol.cipher);
    toResponder.initializeKey(keys.initiatorToResponder);
    toInitiator.initializeKey(keys.responderToInitiator);
    return this.initiator ? { send: toResponder, receive: toInitiator } : { send: toInitiator, receive: toResponder };
  }

  /** Zeroes the secrets this state holds (static and ephemeral keys, chaining key, cipher key). */
  wipe(): void {
    this.s?.secretKey.fill(0);
    this.e?.secretKey.fill(0);
    this.e1?.secretKey.fill(0);
    this.symmetric.wipe();
  }

  private nextTokens(writing: boolean): readonly Token[] {
    if (this.failed) throw new NoiseError('state', 'the Noise handshake already failed');
    const tokens = this.protocol.pattern.messages[this.index];
    if (!tokens) throw new NoiseError('state', 'the Noise handshake is already complete');
    const ourTurn = (this.index % 2 === 0) === this.initiator;
    if (writing !== ourTurn) {
      throw new NoiseError('state', writing ? 'it is the peer’s turn to send a Noise message' : 'it is this side’s turn to send a Noise message');
    }
    return tokens;
  }

  /** Any error leaves the state half-updated, so the handshake cannot continue after one. */
  private guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.failed = true;
      this.wipe();
      throw error;
    }
  }

  private mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    // The first letter names the initiator's key, the second the responder's.
    const initiatorKey = token[0] === 'e' ? 'e' : 's';
    const responderKey = token[1] === 'e' ? 'e' : 's';
    const [localKind, remoteKind] = this.initiator ? [initiatorKey, responderKey] : [responderKey, initiatorKey];
    const local = localKind === 'e' ? this.e : this.s;
    const remote = remoteKind === 'e' ? this.re : this.rs;
    if (!local || !remote) throw new NoiseError('state', `Noise token ${token} is missing a key`);
    const shared = dh(local.secretKey, remote);
    this.symmetric.mixKey(shared);
    shared.fill(0);
  }
}
