// Finding speech in one speaker's audio: 16-bit PCM WAV reading, and the stretches of speech
// between silences (frame energy against the track's own noise floor). Pure functions over
// samples, so the rules are tested without audio tools.

/** A stretch of time, in ms from the start of a recording. */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

export interface PcmAudio {
  readonly sampleRate: number;
  /** Mono samples (the first channel of a multi-channel file). */
  readonly samples: Int16Array;
}

/** Reads a 16-bit PCM WAV file (RIFF chunks in any order, extra chunks skipped). */
export function readWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let format: { channels: number; sampleRate: number; bits: number; encoding: number } | null = null;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ' && size >= 16) {
      format = {
        encoding: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('the WAV file has no format before its data');
      const pcm = format.encoding === 1 || format.encoding === 0xfffe;
      if (!pcm || format.bits !== 16 || format.channels < 1) throw new Error('only 16-bit PCM WAV files are read');
      const frames = Math.floor(Math.min(size, bytes.length - body) / (2 * format.channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(body + i * 2 * format.channels, true);
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('the WAV file has no data');
}

export interface SpeechOptions {
  /** Analysis frame length. */
  readonly frameMs: number;
  /** A frame is speech when it is this much louder than the track's noise floor… */
  readonly marginDb: number;
  /** …and louder than this, in dB relative to full scale. */
  readonly minLevelDb: number;
  /** Pauses shorter than this stay inside one stretch of speech. */
  readonly bridgeMs: number;
  /** Shorter bursts (clicks, breaths) are not speech. */
  readonly minSpeechMs: number;
  /** Added before and after each stretch, so word edges are kept. */
  readonly padMs: number;
  /** Longer stretches are split at their quietest moment (recognisers do worse on long input). */
  readonly maxSegmentMs: number;
}

export const DEFAULT_SPEECH_OPTIONS: SpeechOptions = {
  frameMs: 10,
  marginDb: 15,
  minLevelDb: -50,
  bridgeMs: 400,
  minSpeechMs: 150,
  padMs: 150,
  maxSegmentMs: 30_000,
};

const SILENCE_DB = -100;

/** The stretches of speech in `audio`, in order, padded and never overlapping. */
export function findSpeech(audio: PcmAudio, options: SpeechOptions = DEFAULT_SPEECH_OPTIONS): Span[] {
  const frameLength = Math.max(1, Math.round((audio.sampleRate * options.frameMs) / 1000));
  const frameCount = Math.floor(audio.samples.length / frameLength);
  if (frameCount === 0) return [];
  const levels = new Float64Array(frameCount);
  for (let frame = 0; frame < frameCount; frame++) {
    let sum = 0;
    for (let i = frame * frameLength; i < (frame + 1) * frameLength; i++) {
      const sample = (audio.samples[i] ?? 0) / 32768;
      sum += sample * sample;
    }
    levels[frame] = sum > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(sum / frameLength)) : SILENCE_DB;
  }
  const floor = [...levels].sort((a, b) => a - b)[Math.floor(frameCount * 0.1)] ?? SILENCE_DB;
  const threshold = Math.max(options.minLevelDb, floor + options.marginDb);

  // Runs of loud frames, with short pauses bridged.
  const runs: { start: number; end: number }[] = [];
  const bridgeFrames = Math.round(options.bridgeMs / options.frameMs);
  for (let frame = 0; frame < frameCount; frame++) {
    if ((levels[frame] ?? SILENCE_DB) < threshold) continue;
    const last = runs[runs.length - 1];
    if (last && frame - last.end <= bridgeFrames) last.end = frame + 1;
    else runs.push({ start: frame, end: frame + 1 });
  }
  const minFrames = Math.round(options.minSpeechMs / options.frameMs);
  const padFrames = Math.round(options.padMs / options.frameMs);
  const maxFrames = Math.max(1, Math.round(options.maxSegmentMs / options.frameMs));

  const spans: Span[] = [];
  let previousEnd = 0;
  for (const run of runs.filter((candidate) => candidate.end - candidate.start >= minFrames)) {
    const start = Math.max(previousEnd, run.start - padFrames);
    const end = Math.min(frameCount, run.end + padFrames);
    for (const piece of splitLong(levels, start, end, maxFrames)) {
      spans.push({ startMs: piece.start * options.frameMs, endMs: piece.end * options.frameMs });
    }
    previousEnd = end;
  }
  return spans;
}

/** Splits frames [start, end) into pieces of at most `maxFrames`, each cut at the quietest frame it can. */
function splitLong(levels: Float64Array, start: number, end: number, maxFrames: number): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = [];
  let from = start;
  while (end - from > maxFrames) {
    let cut = from + maxFrames;
    for (let frame = from + Math.ceil(maxFrames / 3); frame < from + maxFrames; frame++) {
      if ((levels[frame] ?? 0) < (levels[cut] ?? 0)) cut = frame;
    }
    pieces.push({ start: from, end: cut });
    from = cut;
  }
  pieces.push({ start: from, end });
  return pieces;
}

/** The parts of `spans` that lie inside `within` (both sorted, `within` not overlapping). */
export function intersectSpans(spans: readonly Span[], within: readonly Span[]): Span[] {
  const result: Span[] = [];
  for (const span of spans) {
    for (const window of within) {
      const startMs = Math.max(span.startMs, window.startMs);
      const endMs = Math.min(span.endMs, window.endMs);
      if (endMs > startMs) result.push({ startMs, endMs });
    }
  }
  return result;
}
