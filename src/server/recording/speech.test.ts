import { describe, expect, it } from 'vitest';
import { findSpeech, intersectSpans, readWav, type PcmAudio } from './speech';

const RATE = 16_000;

/** A track from pieces: [kind, ms] where kind is a tone's amplitude (0 = digital silence). */
function track(pieces: [number, number][], noise = 0): PcmAudio {
  const total = pieces.reduce((sum, [, ms]) => sum + (ms * RATE) / 1000, 0);
  const samples = new Int16Array(total);
  let at = 0;
  let seed = 1;
  for (const [amplitude, ms] of pieces) {
    for (let i = 0; i < (ms * RATE) / 1000; i++, at++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const hiss = noise * ((seed / 2 ** 31) * 2 - 1);
      samples[at] = Math.round(amplitude * Math.sin((2 * Math.PI * 220 * at) / RATE) + hiss);
    }
  }
  return { sampleRate: RATE, samples };
}

function wav(samples: Int16Array, { channels = 1, extraChunk = false } = {}): Uint8Array {
  const data = samples.length * 2 * channels;
  const extra = extraChunk ? 8 + 6 : 0;
  const bytes = new Uint8Array(44 + extra + data);
  const view = new DataView(bytes.buffer);
  const put = (offset: number, text: string) => [...text].forEach((char, i) => (bytes[offset + i] = char.charCodeAt(0)));
  put(0, 'RIFF');
  view.setUint32(4, 36 + extra + data, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * 2 * channels, true);
  view.setUint16(32, 2 * channels, true);
  view.setUint16(34, 16, true);
  let offset = 36;
  if (extraChunk) {
    put(offset, 'LIST');
    view.setUint32(offset + 4, 6, true);
    offset += 14;
  }
  put(offset, 'data');
  view.setUint32(offset + 4, data, true);
  samples.forEach((sample, i) => view.setInt16(offset + 8 + i * 2 * channels, sample, true));
  return bytes;
}

describe('readWav', () => {
  it('reads 16-bit PCM, skipping chunks it does not need and keeping the first channel', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    expect(readWav(wav(samples))).toEqual({ sampleRate: RATE, samples });
    expect(readWav(wav(samples, { extraChunk: true })).samples).toEqual(samples);
    expect(readWav(wav(samples, { channels: 2 })).samples).toEqual(samples);
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => readWav(new TextEncoder().encode('OggS not a wav file'))).toThrow('not a WAV file');
    const eightBit = wav(Int16Array.from([1, 2]));
    new DataView(eightBit.buffer).setUint16(34, 8, true);
    expect(() => readWav(eightBit)).toThrow('only 16-bit PCM');
  });
});

describe('findSpeech', () => {
  it('finds each stretch of speech between silences, padded by 150 ms', () => {
    const audio = track([
      [0, 1000],
      [8000, 1200],
      [0, 1500],
      [8000, 800],
      [0, 1000],
    ]);
    expect(findSpeech(audio)).toEqual([
      { startMs: 850, endMs: 2350 },
      { startMs: 3550, endMs: 4650 },
    ]);
  });

  it('keeps short pauses inside one stretch and drops clicks', () => {
    const audio = track([
      [0, 500],
      [8000, 600],
      [0, 300],
      [8000, 600],
      [0, 1000],
      [8000, 50],
      [0, 1000],
    ]);
    expect(findSpeech(audio)).toEqual([{ startMs: 350, endMs: 2150 }]);
  });

  it('measures speech against the track’s own noise floor', () => {
    const noisy = track(
      [
        [0, 1000],
        [12000, 1000],
        [0, 1000],
      ],
      300,
    );
    expect(findSpeech(noisy)).toEqual([{ startMs: 850, endMs: 2150 }]);
    expect(findSpeech(track([[0, 2000]], 300))).toEqual([]);
    expect(findSpeech(track([[0, 2000]]))).toEqual([]);
  });

  it('splits a long stretch so no segment is longer than the limit', () => {
    const audio = track([
      [0, 1000],
      [8000, 5000],
      [0, 1000],
    ]);
    const spans = findSpeech(audio, { frameMs: 10, marginDb: 15, minLevelDb: -50, bridgeMs: 400, minSpeechMs: 150, padMs: 0, maxSegmentMs: 2000 });
    expect(spans.every((span) => span.endMs - span.startMs <= 2000)).toBe(true);
    expect(spans[0]?.startMs).toBe(1000);
    expect(spans.at(-1)?.endMs).toBe(6000);
    spans.slice(1).forEach((span, i) => expect(span.startMs).toBe(spans[i]?.endMs));
  });
});

describe('intersectSpans', () => {
  it('keeps only what lies inside the windows, cut at their edges', () => {
    const speech = [
      { startMs: 0, endMs: 1000 },
      { startMs: 2000, endMs: 3000 },
      { startMs: 4000, endMs: 5000 },
    ];
    expect(intersectSpans(speech, [{ startMs: 500, endMs: 2500 }])).toEqual([
      { startMs: 500, endMs: 1000 },
      { startMs: 2000, endMs: 2500 },
    ]);
    expect(intersectSpans(speech, [])).toEqual([]);
  });
});
