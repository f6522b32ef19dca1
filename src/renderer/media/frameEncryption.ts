// Attaches the E2EE frame worker to a call's senders and receivers. Uses RTCRtpScriptTransform
// where the browser has it and the legacy createEncodedStreams otherwise. Transforms must be in
// place before negotiation: senders before createOffer, receivers right after the remote offer is
// applied and before createAnswer.
import type { FrameCounters, FrameOperation, WorkerEvent, WorkerRequest } from './frameCryptoMessages';

/** Rotate the send key (a new SFrame epoch) this often during a long call. */
export const REKEY_INTERVAL_MS = 5 * 60_000;

type LegacySender = RTCRtpSender & { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };
type LegacyReceiver = RTCRtpReceiver & { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };

export function hasScriptTransform(): boolean {
  return typeof RTCRtpScriptTransform === 'function';
}

export class FrameEncryption {
  private readonly worker: Worker;
  private readonly rekeyTimer: ReturnType<typeof setInterval>;
  private readonly pendingReports: ((counters: FrameCounters) => void)[] = [];
  /** True when the legacy API is used: peer connections need `encodedInsertableStreams`. */
  readonly legacy = !hasScriptTransform();

  constructor(keyPort: MessagePort, onError: (message: string) => void) {
    this.worker = new Worker(new URL('./frameCrypto.worker.ts', import.meta.url), { type: 'module', name: 'e2ee-frames' });
    this.worker.onmessage = (event: MessageEvent<WorkerEvent>) => {
      const message = event.data;
      if (message.type === 'counters') {
        const { type: _type, ...counters } = message;
        this.pendingReports.splice(0).forEach((resolve) => resolve(counters));
      } else if (message.type === 'error') onError(message.message);
    };
    this.worker.onerror = (event) => onError(`the encryption worker failed: ${event.message}`);
    this.post({ type: 'key-port', port: keyPort }, [keyPort]);
    this.rekeyTimer = setInterval(() => this.post({ type: 'rekey' }), REKEY_INTERVAL_MS);
  }

  /** Extra RTCPeerConnection settings the chosen API needs. */
  get peerConnectionConfig(): RTCConfiguration {
    return this.legacy ? ({ encodedInsertableStreams: true } as RTCConfiguration) : {};
  }

  attachSender(sender: RTCRtpSender): void {
    this.attach(sender, 'encrypt');
  }

  attachReceiver(receiver: RTCRtpReceiver): void {
    this.attach(receiver, 'decrypt');
  }

  /** The worker's frame counters (frames encrypted, decrypted, dropped by reason) and time per frame. */
  counters(): Promise<FrameCounters> {
    return new Promise((resolve) => {
      this.pendingReports.push(resolve);
      this.post({ type: 'report' });
    });
  }

  close(): void {
    clearInterval(this.rekeyTimer);
    this.worker.terminate();
  }

  private attach(target: RTCRtpSender | RTCRtpReceiver, operation: FrameOperation): void {
    const kind = target.track?.kind === 'video' ? 'video' : 'audio';
    if (!this.legacy) {
      target.transform = new RTCRtpScriptTransform(this.worker, { operation, kind });
      return;
    }
    const { readable, writable } = (target as LegacySender | LegacyReceiver).createEncodedStreams();
    this.post({ type: 'streams', operation, kind, readable, writable }, [readable, writable]);
  }

  private post(message: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }
}
