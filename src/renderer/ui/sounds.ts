// Ringtones and the ringback tone, synthesised with Web Audio (no audio files to ship or load),
// played on the speaker chosen in Settings.
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
  /** A short ring on the chosen speaker at the ringtone volume; rejects when that speaker cannot be used. */
  testTone(settings: Settings | null): Promise<void>;
  stop(): void;
}

/** AudioContext.setSinkId (Chromium 110+, so Electron too) is not in TypeScript's DOM types yet. */
type RoutableAudioContext = AudioContext & { sinkId?: string; setSinkId?: (sinkId: string) => Promise<void> };

export function createSounds(): Sounds {
  let context: RoutableAudioContext | null = null;
  let stopCurrent: (() => void) | null = null;

  /** Sends the sounds to `deviceId` (null: the system default). */
  const route = async (ctx: RoutableAudioContext, deviceId: string | null) => {
    const sinkId = deviceId ?? '';
    if (ctx.setSinkId && ctx.sinkId !== sinkId) await ctx.setSinkId(sinkId);
  };

  const play = async (pattern: Pattern, volume: number, repeat: boolean, deviceId: string | null) => {
    stopCurrent?.();
    if (volume <= 0) return;
    context ??= new AudioContext();
    const ctx = context;
    let stopped = false;
    stopCurrent = () => {
      stopped = true;
      stopCurrent = null;
    };
    await route(ctx, deviceId);
    if (stopped) return;
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

  /** A ring that cannot reach the chosen speaker still plays on the default one. */
  const ringOn = (pattern: Pattern, volume: number, settings: Settings | null) => {
    const warn = (what: string) => (error: unknown) => console.warn(what, error instanceof Error ? error.message : error);
    play(pattern, volume, true, settings?.audioOutputId ?? null)
      .catch((error: unknown) => {
        warn('The chosen speaker is unavailable, ringing on the default one:')(error);
        return play(pattern, volume, true, null);
      })
      .catch(warn('Could not ring:'));
  };

  return {
    ring: (settings) => ringOn(PATTERNS[settings?.ringtone ?? 'classic'], settings?.ringtoneVolume ?? 0.8, settings),
    ringback: (settings) => ringOn(PATTERNS.ringback, (settings?.ringtoneVolume ?? 0.8) * 0.5, settings),
    testTone: (settings) => play(PATTERNS[settings?.ringtone ?? 'classic'], settings?.ringtoneVolume ?? 0.8, false, settings?.audioOutputId ?? null),
    stop: () => stopCurrent?.(),
  };
}
