import { describe, expect, it } from 'vitest';
import { TIMED_FRAMES, TransformTimes } from './transformTimes';

describe('TransformTimes', () => {
  it('reports nothing for an operation and kind without frames', () => {
    const times = new TransformTimes();
    times.record('encrypt', 'audio', 12);
    expect(times.report()).toEqual({
      encrypt: { audio: { p50Micros: 12, p99Micros: 12, frames: 1 }, video: null },
      decrypt: { audio: null, video: null },
    });
  });

  it('gives nearest-rank percentiles, kept apart by operation and kind', () => {
    const times = new TransformTimes();
    // 1..100 in a scrambled order: p50 is 50, p99 is 99.
    for (let i = 0; i < 100; i++) times.record('decrypt', 'video', ((i * 37) % 100) + 1);
    times.record('decrypt', 'audio', 5000);
    expect(times.report().decrypt).toEqual({
      video: { p50Micros: 50, p99Micros: 99, frames: 100 },
      audio: { p50Micros: 5000, p99Micros: 5000, frames: 1 },
    });
  });

  it(`covers only the last ${TIMED_FRAMES} frames`, () => {
    const times = new TransformTimes();
    for (let i = 0; i < TIMED_FRAMES; i++) times.record('encrypt', 'video', 1000);
    for (let i = 0; i < TIMED_FRAMES; i++) times.record('encrypt', 'video', 10);
    expect(times.report().encrypt.video).toEqual({ p50Micros: 10, p99Micros: 10, frames: TIMED_FRAMES });
    times.record('encrypt', 'video', 700);
    expect(times.report().encrypt.video).toMatchObject({ p50Micros: 10, p99Micros: 10 });
    for (let i = 0; i < 20; i++) times.record('encrypt', 'video', 700);
    expect(times.report().encrypt.video).toMatchObject({ p50Micros: 10, p99Micros: 700 });
  });
});
