// The E2EE frame worker: every encoded audio and video frame of an end-to-end encrypted call
// passes through here. Sender frames are SFrame-encrypted whole; receiver frames are decrypted,
// and forged, replayed or undecryptable ones are dropped and counted — never played. The frame
// keys arrive on a MessagePort straight from the host — in the desktop app from main, so they never
// touch the page's JS state; the web client's host runs the handshake in the page itself.
// AES-GCM runs on the browser's WebCrypto (see shared/crypto/sframe.ts); the transforms wait for it,
// and a TransformStream keeps each stream's frames in order.
import { FrameKeysMessage } from '../../shared/bridge';
import { CallFrameCrypto } from '../../shared/crypto/frameCrypto';
import { TransformOptions, WorkerRequest, type FrameOperation, type WorkerCounters } from './frameCryptoMessages';
import { TransformTimes, type MediaKind } from './transformTimes';

declare const self: DedicatedWorkerGlobalScope;

type EncodedFrame = RTCEncodedAudioFrame | RTCEncodedVideoFrame;

let frameCrypto: CallFrameCrypto | null = null;
/** Frames that arrived before the handshake delivered keys (dropped). */
let waitingForKeys = 0;
/** Time each frame spends in its transform, from arrival to hand-over. */
const times = new TransformTimes();

function counters(): WorkerCounters {
  const c = frameCrypto?.counters;
  return {
    type: 'counters',
    encrypted: c?.framesEncrypted ?? 0,
    decrypted: c?.framesDecrypted ?? 0,
    dropped: { ...(c?.dropped ?? {}), 'no-key-yet': waitingForKeys },
    epoch: frameCrypto?.epoch ?? 0,
    times: times.report(),
    coarseTimer: !self.crossOriginIsolated,
  };
}

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}

async function transformFrame(
  operation: FrameOperation,
  kind: MediaKind,
  frame: EncodedFrame,
  controller: TransformStreamDefaultController<EncodedFrame>,
): Promise<void> {
  const protector = frameCrypto;
  if (!protector) {
    waitingForKeys += 1;
    return;
  }
  const started = performance.now();
  const input = new Uint8Array(frame.data);
  if (operation === 'encrypt') {
    frame.data = asArrayBuffer(await protector.encrypt(input));
  } else {
    const result = await protector.decrypt(input);
    if (!result.ok) return;
    frame.data = asArrayBuffer(result.plaintext);
  }
  times.record(operation, kind, (performance.now() - started) * 1000);
  controller.enqueue(frame);
}

function pipe({ operation, kind }: TransformOptions, readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>): void {
  readable
    .pipeThrough(new TransformStream<EncodedFrame, EncodedFrame>({ transform: (frame, controller) => transformFrame(operation, kind, frame, controller) }))
    .pipeTo(writable)
    .catch((error: unknown) => self.postMessage({ type: 'error', message: `frame pipeline stopped: ${String(error)}` }));
}

function acceptKeys(port: MessagePort): void {
  port.onmessage = (event: MessageEvent<unknown>) => {
    const parsed = FrameKeysMessage.safeParse(event.data);
    if (!parsed.success) {
      self.postMessage({ type: 'error', message: 'ignored a malformed key message' });
      return;
    }
    const keys = parsed.data;
    if (frameCrypto) {
      // One handshake per call, so one key message: frames in flight hold the first keys.
      keys.sendBaseKey.fill(0);
      keys.receiveBaseKey.fill(0);
      self.postMessage({ type: 'error', message: 'ignored a second key message for this call' });
      return;
    }
    frameCrypto = new CallFrameCrypto({
      sendBaseKey: keys.sendBaseKey,
      receiveBaseKey: keys.receiveBaseKey,
      localSender: keys.localSender,
      subtle: self.crypto.subtle,
    });
    keys.sendBaseKey.fill(0);
    keys.receiveBaseKey.fill(0);
  };
}

// Modern path: RTCRtpScriptTransform raises this event once per sender/receiver.
self.onrtctransform = (event: RTCTransformEvent) => {
  const transformer = event.transformer;
  const options = TransformOptions.safeParse(transformer.options);
  if (!options.success) return;
  pipe(options.data, transformer.readable as ReadableStream<EncodedFrame>, transformer.writable as WritableStream<EncodedFrame>);
};

self.onmessage = (event: MessageEvent<unknown>) => {
  const parsed = WorkerRequest.safeParse(event.data);
  if (!parsed.success) return;
  const request = parsed.data;
  switch (request.type) {
    case 'key-port':
      acceptKeys(request.port);
      break;
    case 'streams':
      // Legacy path (createEncodedStreams): the page hands over the stream pair.
      pipe(request, request.readable as ReadableStream<EncodedFrame>, request.writable as WritableStream<EncodedFrame>);
      break;
    case 'rekey':
      frameCrypto?.rekey();
      break;
    case 'report':
      self.postMessage(counters());
      break;
  }
};
