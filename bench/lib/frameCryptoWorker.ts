// The frame-crypto workload inside a Chromium dedicated worker, where the media worker runs in a
// call. Bundled and served by bench/lib/frameCryptoBrowser.ts; answers one job per message.
import {
  CODEC_NAMES,
  FRAMES,
  NobleGcmCodec,
  WebCryptoGcmCodec,
  callFrames,
  frameBytes,
  sframeCodec,
  simulateCall,
  timeFrames,
  type FrameCodec,
} from './frameWorkload';
import type { BrowserCodec, WorkerJob } from './frameCryptoBrowser';

declare const self: {
  onmessage: ((event: { data: WorkerJob }) => void) | null;
  postMessage(message: unknown): void;
  crypto: Crypto;
  crossOriginIsolated: boolean;
};

/** Each worker runs one implementation (the page starts one worker per implementation). */
let codec: Promise<FrameCodec> | null = null;

function create(name: BrowserCodec): Promise<FrameCodec> {
  switch (name) {
    case 'sframeWebCrypto':
      return Promise.resolve(sframeCodec(CODEC_NAMES.sframeWebCrypto, self.crypto.subtle));
    case 'sframeNoble':
      return Promise.resolve(sframeCodec(CODEC_NAMES.sframeNoble, undefined));
    case 'webCrypto':
      return WebCryptoGcmCodec.create(self.crypto.subtle);
    case 'noble':
      return Promise.resolve(new NobleGcmCodec());
  }
}
const plaintexts = Object.fromEntries(FRAMES.map((frame, i) => [frame.key, frameBytes(frame.bytes, 100 + i)]));
const call = callFrames();

self.onmessage = ({ data: job }) => {
  const run = async (): Promise<unknown> => {
    codec ??= create(job.codec);
    if (job.type === 'time') return timeFrames(await codec, plaintexts[job.frame]!, job.count);
    return simulateCall(await codec, call, job.seconds);
  };
  run().then(
    (result) => self.postMessage({ ok: true, result, isolated: self.crossOriginIsolated }),
    (error: unknown) => self.postMessage({ ok: false, error: String(error) }),
  );
};
