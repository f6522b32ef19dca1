// How long frames spend in the E2EE transforms: the last frames of each operation and media kind,
// reported as percentiles with the worker's counters (the call-details panel shows them).
import type { FrameOperation } from './frameCryptoMessages';

export type MediaKind = 'audio' | 'video';

/** Percentiles of the time per frame, in microseconds, over the frames they cover. */
export interface TimePercentiles {
  p50Micros: number;
  p99Micros: number;
  frames: number;
}

export type TransformTimesReport = Record<FrameOperation, Record<MediaKind, TimePercentiles | null>>;

/** Frames the percentiles cover per operation and kind: about 20 s of audio, 33 s of video. */
export const TIMED_FRAMES = 1000;

/** The most recent TIMED_FRAMES samples, oldest overwritten first. */
class RecentSamples {
  private readonly values = new Float64Array(TIMED_FRAMES);
  private count = 0;
  private next = 0;

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % TIMED_FRAMES;
    this.count = Math.min(this.count + 1, TIMED_FRAMES);
  }

  percentiles(): TimePercentiles | null {
    if (this.count === 0) return null;
    const sorted = this.values.slice(0, this.count).sort();
    // Nearest rank: the smallest sample with at least p of all samples at or below it.
    const rank = (p: number) => sorted[Math.ceil(p * this.count) - 1] as number;
    return { p50Micros: rank(0.5), p99Micros: rank(0.99), frames: this.count };
  }
}

export class TransformTimes {
  private readonly samples: Record<FrameOperation, Record<MediaKind, RecentSamples>> = {
    encrypt: { audio: new RecentSamples(), video: new RecentSamples() },
    decrypt: { audio: new RecentSamples(), video: new RecentSamples() },
  };

  record(operation: FrameOperation, kind: MediaKind, micros: number): void {
    this.samples[operation][kind].add(micros);
  }

  report(): TransformTimesReport {
    const of = (operation: FrameOperation) => ({
      audio: this.samples[operation].audio.percentiles(),
      video: this.samples[operation].video.percentiles(),
    });
    return { encrypt: of('encrypt'), decrypt: of('decrypt') };
  }
}
