// A minimal WebRTC client page for tests that drive Janus directly: it publishes the fake
// microphone (and camera), subscribes to what Janus offers, hands out its ICE candidates, reports
// inbound stats, and can run an XOR "encryption" as an RTCRtpScriptTransform on every frame —
// enough to show that an end-to-end encrypted stream crosses Janus and decodes at the other end —
// or record the size of every audio frame it receives, as it arrives from Janus.
// Served from http://127.0.0.1 so getUserMedia has its secure context.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import type { IceCandidate, Jsep } from '../../src/shared/protocol';

export type PageLeg = 'publisher' | 'subscriber';

export interface InboundStats {
  audio?: { packetsReceived: number; totalSamplesReceived: number; concealedSamples: number; audioLevel: number };
  /** frameWidth and frameHeight: the size of the last decoded frame (0 before the first). */
  video?: { packetsReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number };
}

/** The page's `window`; the callbacks given to `page.evaluate` run in the browser and use it. */
type MediaWindow = { media: MediaPageApi };

/** What the page's script puts on `window.media`. */
interface MediaPageApi {
  publish(options: { video: boolean; xorKey: number | null }): Promise<Jsep>;
  acceptAnswer(sdp: string): Promise<void>;
  subscribe(options: { sdp: string; xorKey: number | null; recordAudioFrames: boolean }): Promise<Jsep>;
  /** Candidates gathered since the last call; `null` marks the end of gathering. */
  takeCandidates(leg: PageLeg): (IceCandidate | null)[];
  inboundStats(): Promise<InboundStats>;
  /** Frames each transform handled, by `<encrypt|decrypt>-<audio|video>`. */
  transformedFrames(): Record<string, number>;
  /** Sizes in bytes of the most recent audio frames received (with `recordAudioFrames`), oldest first. */
  audioFrameSizes(): number[];
  connectionState(leg: PageLeg): string;
}

const TRANSFORM_WORKER = `
onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  let frames = 0;
  if (options.record) {
    // Records frame sizes and passes every frame on untouched.
    const sizes = [];
    readable.pipeThrough(new TransformStream({
      transform(frame, controller) {
        sizes.push(frame.data.byteLength);
        if (sizes.length > 500) sizes.shift();
        if (sizes.length % 10 === 0) self.postMessage({ name: options.name, sizes: sizes.slice() });
        controller.enqueue(frame);
      },
    })).pipeTo(writable);
    return;
  }
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const data = new Uint8Array(frame.data);
      for (let i = 0; i < data.length; i++) data[i] ^= options.key;
      frame.data = data.buffer;
      frames++;
      if (frames % 10 === 1) self.postMessage({ name: options.name, frames });
      controller.enqueue(frame);
    },
  })).pipeTo(writable);
};
`;

const PAGE_SCRIPT = `
const peers = {};
const candidates = { publisher: [], subscriber: [] };
const transformed = {};
let audioFrameSizes = [];
let worker;

function transform(name, key, record = false) {
  if (!worker) {
    worker = new Worker('/transform-worker.js');
    worker.onmessage = ({ data }) => {
      if (data.sizes) audioFrameSizes = data.sizes;
      else transformed[data.name] = data.frames;
    };
  }
  return new RTCRtpScriptTransform(worker, { name, key, record });
}

function peer(leg) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: [] });
  pc.onicecandidate = ({ candidate }) => candidates[leg].push(candidate ? candidate.toJSON() : null);
  peers[leg] = pc;
  return pc;
}

window.media = {
  async publish({ video, xorKey }) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      video,
    });
    const pc = peer('publisher');
    for (const track of stream.getTracks()) {
      const { sender } = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      // Before createOffer, so that the transform is in place before negotiation.
      if (xorKey !== null) sender.transform = transform('encrypt-' + track.kind, xorKey);
    }
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    // The offer as created holds no candidates: they go by trickle.
    return { type: 'offer', sdp: offer.sdp };
  },
  async acceptAnswer(sdp) {
    await peers.publisher.setRemoteDescription({ type: 'answer', sdp });
  },
  async subscribe({ sdp, xorKey, recordAudioFrames }) {
    const pc = peer('subscriber');
    pc.ontrack = ({ track, streams }) => {
      if (track.kind !== 'audio') return;
      // Chromium decodes remote audio only for a sink.
      const audio = new Audio();
      audio.srcObject = streams[0] || new MediaStream([track]);
      audio.play().catch(() => {});
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    // Receivers exist only now, and must get their transform before the answer.
    if (xorKey !== null) {
      for (const { receiver } of pc.getTransceivers()) receiver.transform = transform('decrypt-' + receiver.track.kind, xorKey);
    } else if (recordAudioFrames) {
      for (const { receiver } of pc.getTransceivers()) {
        if (receiver.track.kind === 'audio') receiver.transform = transform('record-audio', 0, true);
      }
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    return { type: 'answer', sdp: answer.sdp };
  },
  takeCandidates(leg) {
    return candidates[leg].splice(0);
  },
  async inboundStats() {
    const result = {};
    const report = await peers.subscriber.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') {
        result.audio = {
          packetsReceived: s.packetsReceived || 0,
          totalSamplesReceived: s.totalSamplesReceived || 0,
          concealedSamples: s.concealedSamples || 0,
          audioLevel: s.audioLevel || 0,
        };
      } else if (s.kind === 'video') {
        result.video = { packetsReceived: s.packetsReceived || 0, framesDecoded: s.framesDecoded || 0, frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0 };
      }
    });
    return result;
  },
  transformedFrames() {
    return { ...transformed };
  },
  audioFrameSizes() {
    return audioFrameSizes.slice();
  },
  connectionState(leg) {
    return peers[leg] ? peers[leg].connectionState : 'none';
  },
};
`;

const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>media test page</title><script src="/page.js"></script>`;

export interface MediaPageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the page on 127.0.0.1 (a port the system picks). */
export async function serveMediaPage(): Promise<MediaPageServer> {
  const routes: Record<string, [string, string]> = {
    '/': ['text/html', PAGE_HTML],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/transform-worker.js': ['text/javascript', TRANSFORM_WORKER],
  };
  const server = createServer((request, response) => {
    const route = routes[request.url ?? ''];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-store' }).end(route[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One page of the test client, with typed calls into its script. */
export class MediaPage {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, url: string): Promise<MediaPage> {
    const page = await context.newPage();
    await page.goto(url);
    return new MediaPage(page);
  }

  publish(options: { video: boolean; xorKey?: number }): Promise<Jsep> {
    return this.page.evaluate((args) => (window as unknown as MediaWindow).media.publish(args), { video: options.video, xorKey: options.xorKey ?? null });
  }

  acceptAnswer(answer: Jsep): Promise<void> {
    return this.page.evaluate((sdp) => (window as unknown as MediaWindow).media.acceptAnswer(sdp), answer.sdp);
  }

  subscribe(offer: Jsep, options: { xorKey?: number; recordAudioFrames?: boolean } = {}): Promise<Jsep> {
    return this.page.evaluate((args) => (window as unknown as MediaWindow).media.subscribe(args), {
      sdp: offer.sdp,
      xorKey: options.xorKey ?? null,
      recordAudioFrames: options.recordAudioFrames ?? false,
    });
  }

  takeCandidates(leg: PageLeg): Promise<(IceCandidate | null)[]> {
    return this.page.evaluate((which) => (window as unknown as MediaWindow).media.takeCandidates(which), leg);
  }

  inboundStats(): Promise<InboundStats> {
    return this.page.evaluate(() => (window as unknown as MediaWindow).media.inboundStats());
  }

  transformedFrames(): Promise<Record<string, number>> {
    return this.page.evaluate(() => (window as unknown as MediaWindow).media.transformedFrames());
  }

  audioFrameSizes(): Promise<number[]> {
    return this.page.evaluate(() => (window as unknown as MediaWindow).media.audioFrameSizes());
  }

  connectionState(leg: PageLeg): Promise<string> {
    return this.page.evaluate((which) => (window as unknown as MediaWindow).media.connectionState(which), leg);
  }

  close(): Promise<void> {
    return this.page.close();
  }
}
