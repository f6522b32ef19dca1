// The frame-crypto workload, the same in Node and in a Chromium worker: realistic frames, the
// implementations under test behind one interface, per-frame timing, and a simulated call.
// No Node or DOM imports: bench/frame-crypto.ts runs it in Node and bundles it for the browser.
import { gcm } from '@noble/ciphers/aes.js';
import { CallFrameCrypto } from '../../src/shared/crypto/frameCrypto';
import type { SubtleAesGcm } from '../../src/shared/crypto/sframe';

export const FRAMES = [
  { key: 'opus', label: 'Opus audio, 80 B', bytes: 80 },
  { key: 'delta', label: 'VP8 720p delta, 5 KB', bytes: 5_000 },
  { key: 'keyframe', label: 'VP8 720p key frame, 60 KB', bytes: 60_000 },
] as const;
export type FrameKey = (typeof FRAMES)[number]['key'];

/**
 * One second of a call's media, sent and received: Opus at 50 frames/s and 720p VP8 at 30 frames/s,
 * one of them a key frame (an upper bound: E2EE rooms never ask for periodic key frames).
 */
export const CALL_SECOND: readonly { frame: FrameKey; count: number }[] = [
  { frame: 'opus', count: 50 },
  { frame: 'delta', count: 29 },
  { frame: 'keyframe', count: 1 },
];

/** One implementation under test: encrypts a frame and decrypts what it made. */
export interface FrameCodec {
  readonly name: string;
  encrypt(plaintext: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>;
  decrypt(sealed: Uint8Array<ArrayBuffer>): Uint8Array | Promise<Uint8Array>;
}

export const CODEC_NAMES = {
  sframeWebCrypto: 'SFrame, WebCrypto AES-GCM (chosen path)',
  sframeNoble: 'SFrame, @noble gcm() (previous path)',
  webCrypto: 'AES-GCM, WebCrypto',
  noble: 'AES-GCM, @noble gcm()',
  openssl: 'AES-GCM, OpenSSL (node:crypto)',
} as const;

/** Deterministic bytes that do not compress (frame payloads are already compressed). */
export function frameBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const BASE_KEYS = { caller: frameBytes(32, 1), callee: frameBytes(32, 2) };
const AEAD_KEY = frameBytes(16, 3);

/** The project's frame protector, as the media worker runs it: caller encrypts, callee decrypts. */
export function sframeCodec(name: string, subtle: SubtleAesGcm | undefined): FrameCodec {
  const sender = new CallFrameCrypto({ sendBaseKey: BASE_KEYS.caller, receiveBaseKey: BASE_KEYS.callee, localSender: 0, subtle });
  const receiver = new CallFrameCrypto({ sendBaseKey: BASE_KEYS.callee, receiveBaseKey: BASE_KEYS.caller, localSender: 1, subtle });
  return {
    name,
    encrypt: (plaintext) => sender.encrypt(plaintext),
    decrypt: async (sealed) => {
      const result = await receiver.decrypt(sealed);
      if (!result.ok) throw new Error(`${name}: frame dropped (${result.reason})`);
      return result.plaintext;
    },
  };
}

/**
 * Raw AES-128-GCM, ciphertext || tag, with a 1-byte AAD like SFrame's header and a fresh nonce per
 * frame. Frames are decrypted in the order they were encrypted, so the nonce stays on this side.
 */
abstract class RawGcmCodec implements FrameCodec {
  abstract readonly name: string;
  private counter = 0;
  protected readonly aad = Uint8Array.of(0x08);
  protected lastNonce = new Uint8Array(12);

  protected nextNonce(): Uint8Array<ArrayBuffer> {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, this.counter++);
    this.lastNonce = nonce;
    return nonce;
  }

  abstract encrypt(plaintext: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>;
  abstract decrypt(sealed: Uint8Array<ArrayBuffer>): Uint8Array | Promise<Uint8Array>;
}

export class NobleGcmCodec extends RawGcmCodec {
  readonly name = CODEC_NAMES.noble;

  encrypt(plaintext: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    return gcm(AEAD_KEY, this.nextNonce(), this.aad).encrypt(plaintext);
  }

  decrypt(sealed: Uint8Array<ArrayBuffer>): Uint8Array {
    return gcm(AEAD_KEY, this.lastNonce, this.aad).decrypt(sealed);
  }
}

export class WebCryptoGcmCodec extends RawGcmCodec {
  readonly name = CODEC_NAMES.webCrypto;

  private constructor(
    private readonly subtle: SubtleAesGcm,
    private readonly key: object,
  ) {
    super();
  }

  static async create(subtle: SubtleAesGcm): Promise<WebCryptoGcmCodec> {
    return new WebCryptoGcmCodec(subtle, await subtle.importKey('raw', AEAD_KEY.slice(), 'AES-GCM', false, ['encrypt', 'decrypt']));
  }

  async encrypt(plaintext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const params = { name: 'AES-GCM', iv: this.nextNonce(), additionalData: this.aad, tagLength: 128 } as const;
    return new Uint8Array(await this.subtle.encrypt(params, this.key, plaintext));
  }

  async decrypt(sealed: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const params = { name: 'AES-GCM', iv: this.lastNonce.slice(), additionalData: this.aad, tagLength: 128 } as const;
    return new Uint8Array(await this.subtle.decrypt(params, this.key, sealed));
  }
}

export interface OpTimes {
  /** Milliseconds per frame. */
  encrypt: number[];
  decrypt: number[];
}

/** Encrypts and decrypts `count` copies of `plaintext`, timing each operation on its own. */
export async function timeFrames(codec: FrameCodec, plaintext: Uint8Array<ArrayBuffer>, count: number): Promise<OpTimes> {
  const times: OpTimes = { encrypt: [], decrypt: [] };
  for (let i = 0; i < count; i++) {
    let started = performance.now();
    const sealing = codec.encrypt(plaintext);
    const sealed = sealing instanceof Promise ? await sealing : sealing;
    times.encrypt.push(performance.now() - started);
    started = performance.now();
    const opening = codec.decrypt(sealed);
    const opened = opening instanceof Promise ? await opening : opening;
    times.decrypt.push(performance.now() - started);
    if (opened.length !== plaintext.length) throw new Error(`${codec.name}: round trip changed the frame length`);
  }
  return times;
}

/** Sends and receives `seconds` of CALL_SECOND back to back; returns the wall time in ms. */
export async function simulateCall(codec: FrameCodec, frames: Record<FrameKey, Uint8Array<ArrayBuffer>>, seconds: number): Promise<number> {
  const started = performance.now();
  for (let second = 0; second < seconds; second++) {
    for (const { frame, count } of CALL_SECOND) {
      for (let i = 0; i < count; i++) {
        const sealing = codec.encrypt(frames[frame]);
        const sealed = sealing instanceof Promise ? await sealing : sealing;
        const opening = codec.decrypt(sealed);
        if (opening instanceof Promise) await opening;
      }
    }
  }
  return performance.now() - started;
}

export function callFrames(): Record<FrameKey, Uint8Array<ArrayBuffer>> {
  return { opus: frameBytes(80, 11), delta: frameBytes(5_000, 12), keyframe: frameBytes(60_000, 13) };
}
