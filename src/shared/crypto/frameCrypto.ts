// The frame protector for one call, as the media worker uses it: whole frames in, SFrame frames out
// (and back), with replay protection, key epochs and counters.
//
// KID = (epoch << 1) | sender, where sender is 0 for the caller and 1 for the callee. The sender
// bit gives each direction its own KIDs (so its own derived keys and nonces even if both base keys
// were equal) and names a frame reflected back at its sender: dropped as 'reflected'.
// CTR counts frames within an epoch, from 0.
// Epochs: base_key[e + 1] = HKDF-Expand(HKDF-Extract("", base_key[e]), "SFrame 1.0 Ratchet", Nh)
// with the suite's hash (RFC 9605 §5.1). `rekey()` moves the send side one epoch on; the receiver
// follows on its own when a frame of a newer epoch (at most MAX_EPOCHS_AHEAD ahead) authenticates,
// keeps the previous epoch for PREVIOUS_EPOCH_GRACE_FRAMES frames so late frames still play, and
// never goes back to an older epoch.
//
// Encrypting and decrypting are asynchronous (WebCrypto's AES-GCM, see sframe.ts), and the audio and
// video transforms run side by side on one protector: a frame's CTR is taken before its AEAD starts,
// and a received frame's freshness and epoch are checked again once it has authenticated.
import { ReplayWindow } from './replayWindow';
import { type CipherSuite, type CipherSuiteId, SFrameError, SFrameKey, type SubtleAesGcm, cipherSuite, decodeHeader, ratchetBaseKey } from './sframe';

export type DropReason = 'malformed' | 'unknown-key' | 'replay' | 'auth' | 'reflected';

export type FrameDecryptResult = { ok: true; plaintext: Uint8Array } | { ok: false; reason: DropReason };

export interface FrameCounters {
  framesEncrypted: number;
  framesDecrypted: number;
  dropped: Record<DropReason, number>;
}

export interface CallFrameCryptoOptions {
  sendBaseKey: Uint8Array;
  receiveBaseKey: Uint8Array;
  /** 0 for the caller, 1 for the callee. */
  localSender: 0 | 1;
  suite?: CipherSuiteId;
  /** WebCrypto for the AES-GCM suites (the media worker passes `crypto.subtle`); @noble/ciphers without it. */
  subtle?: SubtleAesGcm;
}

/** How far ahead of its current epoch the receiver derives keys for an incoming frame. */
export const MAX_EPOCHS_AHEAD = 4;
/** Frames of the new epoch after which the previous epoch's key is forgotten (≈3 s of audio+video). */
export const PREVIOUS_EPOCH_GRACE_FRAMES = 256;

/** Epochs stay below 2^52 so epoch, KID and CTR are exact JavaScript numbers. */
const MAX_EPOCH = 2 ** 52 - 1;
const MAX_KID = BigInt(MAX_EPOCH) * 2n + 1n;
const MAX_CTR = BigInt(Number.MAX_SAFE_INTEGER);
const NO_METADATA = new Uint8Array(0);

interface ReceiveEpoch {
  readonly epoch: number;
  /** Kept only while the epoch may still be ratcheted from (current or pending). */
  baseKey: Uint8Array;
  readonly key: SFrameKey;
  readonly window: ReplayWindow;
}

export class CallFrameCrypto {
  private readonly suite: CipherSuite;
  private readonly localSender: 0 | 1;
  private readonly remoteSender: 0 | 1;
  private readonly subtle: SubtleAesGcm | undefined;

  private sendEpoch = 0;
  private sendBaseKey: Uint8Array;
  private sendKey: SFrameKey;
  private sendCtr = 0;

  private current: ReceiveEpoch;
  private previous: ReceiveEpoch | null = null;
  /** Epochs derived ahead of `current` for frames that have not authenticated yet. */
  private readonly pending = new Map<number, ReceiveEpoch>();
  private framesInCurrentEpoch = 0;
  private destroyed = false;

  private readonly stats: FrameCounters = {
    framesEncrypted: 0,
    framesDecrypted: 0,
    dropped: { malformed: 0, 'unknown-key': 0, replay: 0, auth: 0, reflected: 0 },
  };

  constructor(options: CallFrameCryptoOptions) {
    if (options.localSender !== 0 && options.localSender !== 1) throw new RangeError('localSender must be 0 or 1');
    if (options.sendBaseKey.length === 0 || options.receiveBaseKey.length === 0) {
      throw new RangeError('frame base keys must not be empty');
    }
    this.suite = cipherSuite(options.suite ?? 4);
    this.localSender = options.localSender;
    this.remoteSender = options.localSender === 0 ? 1 : 0;
    this.subtle = options.subtle;
    this.sendBaseKey = options.sendBaseKey.slice();
    this.sendKey = this.frameKey(0, this.localSender, this.sendBaseKey);
    this.current = this.receiveEpoch(0, options.receiveBaseKey.slice());
  }

  /** A snapshot of what this protector has done so far. */
  get counters(): FrameCounters {
    return { ...this.stats, dropped: { ...this.stats.dropped } };
  }

  /** The epoch frames are being sent in. */
  get epoch(): number {
    return this.sendEpoch;
  }

  async encrypt(frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    if (this.destroyed) throw new Error('this call’s frame keys were destroyed');
    // Never reuse a nonce: a full epoch (2^53 frames) moves to the next one. The CTR is taken now,
    // before any other frame can start.
    if (this.sendCtr >= Number.MAX_SAFE_INTEGER) this.rekey();
    const ctr = this.sendCtr++;
    const out = await this.sendKey.encrypt(BigInt(ctr), NO_METADATA, frame);
    this.stats.framesEncrypted++;
    return out;
  }

  /** Decrypts one frame; anything that is not an authentic, fresh frame is dropped and counted. */
  async decrypt(frame: Uint8Array<ArrayBuffer>): Promise<FrameDecryptResult> {
    const reason = await this.open(frame);
    if (typeof reason !== 'string') {
      this.stats.framesDecrypted++;
      return { ok: true, plaintext: reason };
    }
    this.stats.dropped[reason]++;
    return { ok: false, reason };
  }

  /** Moves the send side to the next epoch; the peer follows when it sees the first frame. */
  rekey(): void {
    if (this.destroyed) throw new Error('this call’s frame keys were destroyed');
    if (this.sendEpoch >= MAX_EPOCH) throw new RangeError('no epochs left for this call');
    const next = ratchetBaseKey(this.suite, this.sendBaseKey);
    this.sendBaseKey.fill(0);
    this.sendKey.wipe();
    this.sendEpoch++;
    this.sendBaseKey = next;
    this.sendKey = this.frameKey(this.sendEpoch, this.localSender, next);
    this.sendCtr = 0;
  }

  /** Zeroes every key this protector holds; it cannot be used afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sendBaseKey.fill(0);
    this.sendKey.wipe();
    for (const entry of [this.current, this.previous, ...this.pending.values()]) {
      if (!entry) continue;
      entry.baseKey.fill(0);
      entry.key.wipe();
    }
    this.previous = null;
    this.pending.clear();
  }

  private kid(epoch: number, sender: 0 | 1): bigint {
    return (BigInt(epoch) << 1n) | BigInt(sender);
  }

  private frameKey(epoch: number, sender: 0 | 1, baseKey: Uint8Array): SFrameKey {
    return new SFrameKey(this.suite, this.kid(epoch, sender), baseKey, this.subtle);
  }

  private receiveEpoch(epoch: number, baseKey: Uint8Array): ReceiveEpoch {
    return { epoch, baseKey, key: this.frameKey(epoch, this.remoteSender, baseKey), window: new ReplayWindow() };
  }

  /** The plaintext, or why the frame is dropped. */
  private async open(frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array | DropReason> {
    if (this.destroyed) return 'unknown-key';
    if (!(frame instanceof Uint8Array)) return 'malformed';
    try {
      const header = decodeHeader(frame);
      if (header.kid > MAX_KID) return 'unknown-key';
      if (Number(header.kid & 1n) === this.localSender) return 'reflected';
      const entry = this.keysFor(Number(header.kid >> 1n));
      if (!entry) return 'unknown-key';
      if (header.ctr > MAX_CTR) return 'malformed';
      const ctr = Number(header.ctr);
      if (!entry.window.check(ctr)) return 'replay';
      const plaintext = await entry.key.decrypt(header, NO_METADATA, frame);
      // Other frames moved on while this one was opened: its epoch may be gone, or a copy of it
      // may have been accepted first.
      if (this.destroyed || !this.isKept(entry)) return 'unknown-key';
      if (!entry.window.check(ctr)) return 'replay';
      entry.window.accept(ctr);
      this.onAuthentic(entry);
      return plaintext;
    } catch (error) {
      return error instanceof SFrameError ? error.code : 'malformed';
    }
  }

  /** Whether a receive epoch is still one this protector holds keys for. */
  private isKept(entry: ReceiveEpoch): boolean {
    return entry === this.current || entry === this.previous || this.pending.get(entry.epoch) === entry;
  }

  /** Keys for a received epoch: current, previous (during its grace), or derived a few ahead. */
  private keysFor(epoch: number): ReceiveEpoch | null {
    if (epoch === this.current.epoch) return this.current;
    if (epoch === this.previous?.epoch) return this.previous;
    if (epoch < this.current.epoch || epoch > this.current.epoch + MAX_EPOCHS_AHEAD) return null;
    let entry = this.current;
    for (let next = this.current.epoch + 1; next <= epoch; next++) {
      let derived = this.pending.get(next);
      if (!derived) {
        derived = this.receiveEpoch(next, ratchetBaseKey(this.suite, entry.baseKey));
        this.pending.set(next, derived);
      }
      entry = derived;
    }
    return entry;
  }

  private onAuthentic(entry: ReceiveEpoch): void {
    if (entry === this.current) {
      this.framesInCurrentEpoch++;
      if (this.previous && this.framesInCurrentEpoch >= PREVIOUS_EPOCH_GRACE_FRAMES) {
        this.previous.key.wipe();
        this.previous = null;
      }
      return;
    }
    if (entry === this.previous) return;
    // A newer epoch authenticated: it becomes current, the old current turns previous.
    if (this.previous) this.previous.key.wipe();
    this.current.baseKey.fill(0);
    this.previous = this.current;
    this.current = entry;
    this.framesInCurrentEpoch = 1;
    for (const [epoch, skipped] of this.pending) {
      if (epoch > entry.epoch) continue;
      this.pending.delete(epoch);
      if (skipped === entry) continue;
      skipped.baseKey.fill(0);
      skipped.key.wipe();
    }
  }
}
