// Ringtones and the ringback tone, synthesised with Web Audio (no audio files to ship or load).
import type { Settings } from '../../shared/settings';

type Pattern = { frequencies: number[]; onMs: number; offMs: number };

const PATTERNS: Record<Settings['ringtone'] | 'ringback', Pattern> = {
  classic: { frequencies: [440, 480], onMs: 2000, offMs: 4000 },
  chime: { frequencies: [660, 880], onMs: 600, offMs: 1400 },
  pulse: { frequencies: [520], onMs: 300, offMs: 300 },
  ringback: { frequencies: [440, 480], onMs: 1000, offMs: 3000 },
};

export interface Sounds {
  /** The incoming-call ringtone, per the user's choice and volume. */
  ring(settings: Settings | null): void;
  /** What the caller hears while the callee's device rings. */
  ringback(settings: Settings | null): void;
  /** A short tone to test the speaker. */
  testTone(settings: Settings | null): void;
  stop(): void;
}

export function createSounds(): Sounds {
  let context: AudioContext | null = null;
  let stopCurrent: (() => void) | null = null;

  const play = (pattern: Pattern, volume: number, repeat: boolean) => {
    stopCurrent?.();
    if (volume <= 0) return;
    context ??= new AudioContext();
    const ctx = context;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const oscillators = pattern.frequencies.map((frequency) => {
      const oscillator = ctx.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
      return oscillator;
    });
    const level = volume / (2 * pattern.frequencies.length);
    const cycle = () => {
      const now = ctx.currentTime;
      gain.gain.setTargetAtTime(level, now, 0.01);
      gain.gain.setTargetAtTime(0, now + pattern.onMs / 1000, 0.01);
    };
    cycle();
    const timer = repeat ? setInterval(cycle, pattern.onMs + pattern.offMs) : null;
    const end = setTimeout(() => stopCurrent?.(), repeat ? 120_000 : pattern.onMs + 100);
    stopCurrent = () => {
      if (timer) clearInterval(timer);
      clearTimeout(end);
      for (const oscillator of oscillators) oscillator.stop();
      gain.disconnect();
      stopCurrent = null;
    };
  };

  return {
    ring: (settings) => play(PATTERNS[settings?.ringtone ?? 'classic'], settings?.ringtoneVolume ?? 0.8, true),
    ringback: (settings) => play(PATTERNS.ringback, (settings?.ringtoneVolume ?? 0.8) * 0.5, true),
    testTone: (settings) => play(PATTERNS[settings?.ringtone ?? 'classic'], settings?.ringtoneVolume ?? 0.8, false),
    stop: () => stopCurrent?.(),
  };
}
