// Settings for the devices and sounds: microphone (with its live level while the panel is open),
// camera, speaker, ringtone and its volume, and a test sound on the chosen speaker.
import { useEffect, useId, useState } from 'react';
import { useSession } from './context';
import { useMediaDevices } from './useMediaDevices';
import { deviceChoices, startMicrophoneLevel, type DeviceKind } from '../media/devicePreview';
import { hostErrorText } from '../host/hostError';
import { RINGTONES, type Settings, type SettingsPatch } from '../../shared/settings';

type DeviceField = 'audioInputId' | 'audioOutputId' | 'videoInputId';

/** Whether this browser can send sounds to a chosen speaker (AudioContext.setSinkId). */
const canChooseSpeaker = typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;

/** A choice of one kind of device, saved as a setting (null is the system default). */
export function DeviceSelect(props: {
  label: string;
  kind: DeviceKind;
  field: DeviceField;
  devices: MediaDeviceInfo[];
  settings: Settings;
  change: (patch: SettingsPatch) => void;
}) {
  const id = useId();
  const { field, settings, change } = props;
  const choices = deviceChoices(props.devices, props.kind, settings[field]);
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={settings[field] ?? ''} onChange={(e) => change({ [field]: e.target.value === '' ? null : e.target.value })}>
        {choices.map((choice) => (
          <option key={choice.id ?? ''} value={choice.id ?? ''}>
            {choice.label}
          </option>
        ))}
      </select>
    </>
  );
}

export function DeviceSettings({ settings, change }: { settings: Settings; change: (patch: SettingsPatch) => void }) {
  const session = useSession();
  const [previewAllowed, setPreviewAllowed] = useState(false);
  const [level, setLevel] = useState(0);
  const [microphonesOpened, setMicrophonesOpened] = useState(0);
  const [microphoneProblem, setMicrophoneProblem] = useState<string | null>(null);
  const [soundProblem, setSoundProblem] = useState<string | null>(null);
  const devices = useMediaDevices(previewAllowed, microphonesOpened);
  const meterHint = useId();
  const ringtoneId = useId();
  const volumeId = useId();

  // The host grants the devices while the panel is open (Electron asks main; a browser asks the user).
  useEffect(() => {
    let open = true;
    session.host.calls['devices.preview'](true).then(
      () => open && setPreviewAllowed(true),
      (error: unknown) => open && setMicrophoneProblem(hostErrorText(error)),
    );
    return () => {
      open = false;
      void session.host.calls['devices.preview'](false).catch(() => undefined);
    };
  }, [session]);

  // The level of the chosen microphone, with the processing calls use, for as long as the panel is open.
  const { audioInputId, echoCancellation, noiseSuppression, autoGainControl } = settings;
  useEffect(() => {
    if (!previewAllowed) return;
    let stop: (() => void) | null = null;
    let open = true;
    startMicrophoneLevel({ audioInputId, echoCancellation, noiseSuppression, autoGainControl }, (value) => open && setLevel(value)).then(
      (stopLevel) => {
        if (!open) return stopLevel();
        stop = stopLevel;
        setMicrophoneProblem(null);
        setMicrophonesOpened((count) => count + 1);
      },
      (error: unknown) => open && setMicrophoneProblem(`The microphone could not be opened: ${hostErrorText(error)}`),
    );
    return () => {
      open = false;
      stop?.();
      setLevel(0);
    };
  }, [previewAllowed, audioInputId, echoCancellation, noiseSuppression, autoGainControl]);

  const testSound = () => {
    setSoundProblem(null);
    session.sounds.testTone(settings).catch((error: unknown) => setSoundProblem(`The test sound could not be played: ${hostErrorText(error)}`));
  };

  return (
    <>
      <fieldset>
        <legend>Microphone and camera</legend>
        <DeviceSelect label="Microphone" kind="audioinput" field="audioInputId" devices={devices} settings={settings} change={change} />
        <meter min={0} max={1} low={0.05} high={0.9} optimum={0.5} value={level} aria-label="Microphone level" aria-describedby={meterHint} />
        <p id={meterHint} className="hint">
          Speak: the bar moves with your voice.
        </p>
        {microphoneProblem && (
          <p role="alert" className="error">
            {microphoneProblem}
          </p>
        )}
        <label className="inline">
          <input type="checkbox" checked={settings.echoCancellation} onChange={(e) => change({ echoCancellation: e.target.checked })} />
          Echo cancellation
        </label>
        <label className="inline">
          <input type="checkbox" checked={settings.noiseSuppression} onChange={(e) => change({ noiseSuppression: e.target.checked })} />
          Noise suppression
        </label>
        <label className="inline">
          <input type="checkbox" checked={settings.autoGainControl} onChange={(e) => change({ autoGainControl: e.target.checked })} />
          Automatic gain
        </label>
        <DeviceSelect label="Camera" kind="videoinput" field="videoInputId" devices={devices} settings={settings} change={change} />
      </fieldset>
      <fieldset>
        <legend>Speaker and ringtone</legend>
        {canChooseSpeaker ? (
          <DeviceSelect label="Speaker" kind="audiooutput" field="audioOutputId" devices={devices} settings={settings} change={change} />
        ) : (
          <p className="hint">This browser plays sound on the system’s default speaker only.</p>
        )}
        <label htmlFor={ringtoneId}>Ringtone</label>
        <select id={ringtoneId} value={settings.ringtone} onChange={(e) => change({ ringtone: e.target.value as (typeof RINGTONES)[number] })}>
          {RINGTONES.map((name) => (
            <option key={name} value={name}>
              {name[0]?.toUpperCase() + name.slice(1)}
            </option>
          ))}
        </select>
        <label htmlFor={volumeId}>Ringtone volume</label>
        <input
          id={volumeId}
          type="range"
          min={0}
          max={100}
          step={5}
          value={Math.round(settings.ringtoneVolume * 100)}
          aria-valuetext={`${Math.round(settings.ringtoneVolume * 100)}%`}
          onChange={(e) => change({ ringtoneVolume: Number(e.target.value) / 100 })}
        />
        <button type="button" onClick={testSound}>
          Play test sound
        </button>
        {soundProblem && (
          <p role="alert" className="error">
            {soundProblem}
          </p>
        )}
      </fieldset>
    </>
  );
}
