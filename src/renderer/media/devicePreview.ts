// What the settings panel shows of the media devices: the choices for each kind, and the live
// level of the chosen microphone.
import type { AudioProcessing, Settings } from '../../shared/settings';

/** One entry of a device list: null is the system default. */
export interface DeviceChoice {
  id: string | null;
  label: string;
}

export type DeviceKind = 'audioinput' | 'audiooutput' | 'videoinput';

const NAMES: Record<DeviceKind, string> = { audioinput: 'Microphone', audiooutput: 'Speaker', videoinput: 'Camera' };

/** Chromium lists the system's default and communications devices again under these ids. */
const ALIASES = new Set(['', 'default', 'communications']);

/**
 * The choices for one kind of device: the system default first, then each device by name (or a
 * numbered name where the browser withholds labels), and the saved choice even when it is not
 * plugged in, so the list shows what is saved instead of silently falling back.
 */
export function deviceChoices(
  devices: readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[],
  kind: DeviceKind,
  saved: string | null,
): DeviceChoice[] {
  const present = devices.filter((device) => device.kind === kind && !ALIASES.has(device.deviceId));
  const choices: DeviceChoice[] = [
    { id: null, label: 'System default' },
    ...present.map((device, index) => ({ id: device.deviceId, label: device.label || `${NAMES[kind]} ${index + 1}` })),
  ];
  if (saved !== null && !present.some((device) => device.deviceId === saved)) {
    choices.push({ id: saved, label: `${NAMES[kind]} chosen earlier (not connected)` });
  }
  return choices;
}

/** A level meter's reading, 0..1, from audio samples in -1..1: their RMS on a 60 dB scale. */
export function levelOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / samples.length);
  if (rms === 0) return 0;
  const decibels = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (decibels + 60) / 60));
}

const LEVEL_INTERVAL_MS = 100;

/** The microphone as calls open it: the chosen device (or the default), with the chosen processing. */
export function microphoneConstraints(deviceId: string | null, processing: AudioProcessing): MediaTrackConstraints {
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    echoCancellation: processing.echoCancellation,
    noiseSuppression: processing.noiseSuppression,
    autoGainControl: processing.autoGainControl,
  };
}

/** Whether a track's settings show the processing asked for (a setting the browser does not report counts as followed). */
export function followsProcessing(settings: MediaTrackSettings, processing: AudioProcessing): boolean {
  return (['echoCancellation', 'noiseSuppression', 'autoGainControl'] as const).every(
    (key) => settings[key] === undefined || settings[key] === processing[key],
  );
}

/**
 * Opens the chosen microphone as calls would (same processing) and reports its level every 100 ms
 * until the returned function stops it. Rejects when the microphone cannot be opened.
 */
export async function startMicrophoneLevel(settings: Pick<Settings, 'audioInputId'> & AudioProcessing, onLevel: (level: number) => void): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(settings.audioInputId, settings) });
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    onLevel(levelOf(samples));
  }, LEVEL_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    for (const track of stream.getTracks()) track.stop();
    void context.close();
  };
}
