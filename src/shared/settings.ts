// The user's settings: one schema, its defaults, and the type derived from it. Main (or the web
// host) reads the stored file with `readStoredSettings` and checks every change with
// `SettingsPatch` before applying it.
import { z } from 'zod';

/** A media device id as the browser reports it, or null for the system default. */
const DeviceId = z.string().max(256).nullable();

export const RINGTONES = ['classic', 'chime', 'pulse'] as const;

const fields = {
  /** End-to-end encrypt calls where the peer has it on too. Rules out recording and transcription. */
  e2ee: z.boolean(),
  audioInputId: DeviceId,
  audioOutputId: DeviceId,
  videoInputId: DeviceId,
  /** The microphone's processing, each switchable on its own (and during a call). */
  echoCancellation: z.boolean(),
  noiseSuppression: z.boolean(),
  autoGainControl: z.boolean(),
  ringtone: z.enum(RINGTONES),
  /** 0 silences the ringtone; 1 is full volume. */
  ringtoneVolume: z.number().min(0).max(1),
  notifications: z.boolean(),
  startAtLogin: z.boolean(),
  /** The desktop app downloads and installs its updates (never during a call). */
  automaticUpdates: z.boolean(),
  /**
   * The signaling server (ws:// or wss://). Null in the web client, which always uses the server
   * that served it.
   */
  serverUrl: z
    .url({ protocol: /^wss?$/, error: 'the server address must be a ws:// or wss:// URL' })
    .max(512)
    .nullable(),
  /**
   * The ws:// address the user chose to use although it is not encrypted, after the warning in
   * Settings (desktop app). Plain ws:// to any host but this one and loopback is refused.
   */
  unencryptedServerConfirmed: z.string().max(512).nullable(),
};

export const Settings = z.object(fields);
export type Settings = z.infer<typeof Settings>;

/** A change to some settings; an unknown key is an error, not silently dropped. */
export const SettingsPatch = z.object(fields).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  e2ee: true,
  audioInputId: null,
  audioOutputId: null,
  videoInputId: null,
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  ringtone: 'classic',
  ringtoneVolume: 0.8,
  notifications: true,
  startAtLogin: false,
  automaticUpdates: true,
  serverUrl: null,
  unencryptedServerConfirmed: null,
});

/** Whether `hostname` (as URL.hostname writes it) is this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Why the desktop app will not connect to `serverUrl`, or null when it may: plain ws:// to a host
 * other than this machine carries the login, contacts and who calls whom unencrypted and open to
 * change on the way, so it needs the user's confirmation of that very address.
 */
export function unencryptedServerProblem(serverUrl: string, confirmed: string | null): string | null {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return 'The server address is not a valid URL.';
  }
  if (url.protocol !== 'ws:' || isLoopbackHost(url.hostname) || confirmed === serverUrl) return null;
  return `The server address ${url.host} uses plain ws://, which is not encrypted: anyone on the network path could read and change what the app and server say. Use wss://, or confirm the unencrypted connection in Settings.`;
}

/**
 * Reads settings as stored: fields missing from an older file take their defaults, fields a newer
 * version added are dropped, and anything invalid is an error (the caller keeps the file aside).
 */
export function readStoredSettings(stored: unknown): Settings {
  const partial = z.object(fields).partial().parse(stored);
  return Settings.parse({ ...DEFAULT_SETTINGS, ...olderAudioProcessing(stored), ...partial });
}

/** The microphone processing settings, as calls and the level meter open the microphone. */
export type AudioProcessing = Pick<Settings, 'echoCancellation' | 'noiseSuppression' | 'autoGainControl'>;

/** Picks the microphone processing settings out of all settings. */
export function audioProcessingOf(settings: AudioProcessing): AudioProcessing {
  const { echoCancellation, noiseSuppression, autoGainControl } = settings;
  return { echoCancellation, noiseSuppression, autoGainControl };
}

/**
 * Older versions kept one `audioProcessing` switch for all three: its value stands for each of them
 * that the file does not set itself.
 */
function olderAudioProcessing(stored: unknown): Partial<AudioProcessing> {
  const older = z.object({ audioProcessing: z.boolean() }).safeParse(stored);
  if (!older.success) return {};
  const on = older.data.audioProcessing;
  return { echoCancellation: on, noiseSuppression: on, autoGainControl: on };
}
