// Measures what a page really receives: records the page's peer connections (an init script the
// test injects before the page loads) and analyses received audio with Web Audio — how much of the
// received sound sits at a known tone's frequency.
import type { BrowserContext, Page } from 'playwright-core';

declare global {
  interface Window {
    __testPeerConnections?: RTCPeerConnection[];
  }
}

/** Makes every RTCPeerConnection the page creates reachable as window.__testPeerConnections. */
export async function recordPeerConnections(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const created: RTCPeerConnection[] = [];
    window.__testPeerConnections = created;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        created.push(this);
      }
    } as typeof RTCPeerConnection;
  });
}

export interface ToneReading {
  /** Share of the received audio power within ±40 Hz of the tone (0..1). */
  toneShare: number;
  /**
   * Power within ±40 Hz of the tone over the mean power of equally wide bands around it (at
   * 0.6, 0.8, 1.2, 1.4, 1.8 and 2.2 times its frequency): a tone scores in the thousands, noise near 1.
   */
  toneToNeighbours: number;
  /** Mean received signal power (mean square of samples, full scale = 1). */
  power: number;
}

/**
 * Listens to all audio the page receives for `durationMs` and reports how much of it is the tone.
 * A clear tone has a tone share near 1; noise or silence near 0.
 */
export function measureTone(page: Page, frequencyHz: number, durationMs: number): Promise<ToneReading> {
  return page.evaluate(
    async ({ frequencyHz, durationMs }) => {
      const tracks = (window.__testPeerConnections ?? [])
        .filter((pc) => pc.connectionState !== 'closed')
        // Only transceivers that really receive: a send-only one has a receiver track too, silent.
        .flatMap((pc) => pc.getTransceivers())
        .filter((transceiver) => transceiver.currentDirection === 'recvonly' || transceiver.currentDirection === 'sendrecv')
        .map((transceiver) => transceiver.receiver.track)
        .filter((track) => track.kind === 'audio' && track.readyState === 'live');
      if (tracks.length === 0) throw new Error('the page receives no audio');
      const context = new AudioContext();
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      // One source per track: a source built from a multi-track stream plays only its first track.
      for (const track of tracks) context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const spectrum = new Float32Array(analyser.frequencyBinCount);
      const samples = new Float32Array(analyser.fftSize);
      const binHz = context.sampleRate / analyser.fftSize;
      const neighbours = [0.6, 0.8, 1.2, 1.4, 1.8, 2.2].map((factor) => factor * frequencyHz);
      let tone = 0;
      let beside = 0;
      let total = 0;
      let power = 0;
      let readings = 0;
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        analyser.getFloatFrequencyData(spectrum);
        analyser.getFloatTimeDomainData(samples);
        spectrum.forEach((db, bin) => {
          const linear = 10 ** (db / 10);
          total += linear;
          if (Math.abs(bin * binHz - frequencyHz) <= 40) tone += linear;
          if (neighbours.some((hz) => Math.abs(bin * binHz - hz) <= 40)) beside += linear / neighbours.length;
        });
        power += samples.reduce((sum, x) => sum + x * x, 0) / samples.length;
        readings += 1;
      }
      await context.close();
      return {
        toneShare: total > 0 ? tone / total : 0,
        toneToNeighbours: beside > 0 ? tone / beside : 0,
        power: readings ? power / readings : 0,
      };
    },
    { frequencyHz, durationMs },
  );
}
