import { useId, useState } from 'react';
import { useSession } from './context';
import { useApp } from '../store/appStore';
import { RINGTONES, type SettingsPatch } from '../../shared/settings';

/** Settings, applied and saved as soon as they change. */
export function SettingsPanel({ onClose }: { onClose: () => void }) {
  const session = useSession();
  const settings = useApp((s) => s.settings);
  const identity = useApp((s) => s.identity);
  const problem = useApp((s) => s.storageProblem);
  const [error, setError] = useState<string | null>(null);
  const e2eeHelp = useId();
  if (!settings) return null;

  const change = (patch: SettingsPatch) => {
    setError(null);
    session.updateSettings(patch).catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  };

  return (
    <section className="panel settings" role="dialog" aria-modal="false" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {problem && (
        <p role="alert" className="warning">
          {problem}
        </p>
      )}
      <fieldset>
        <legend>Privacy</legend>
        <label className="inline">
          <input type="checkbox" checked={settings.e2ee} aria-describedby={e2eeHelp} onChange={(e) => change({ e2ee: e.target.checked })} />
          End-to-end encryption
        </label>
        <p id={e2eeHelp} className="hint">
          A call is end-to-end encrypted only when both of you have this on; then nobody else — not the server — can hear it.
          While a call is end-to-end encrypted, it cannot be recorded or transcribed.
        </p>
      </fieldset>
      <fieldset>
        <legend>Audio</legend>
        <label className="inline">
          <input type="checkbox" checked={settings.audioProcessing} onChange={(e) => change({ audioProcessing: e.target.checked })} />
          Echo cancellation and noise suppression
        </label>
        <label htmlFor="ringtone">Ringtone</label>
        <select id="ringtone" value={settings.ringtone} onChange={(e) => change({ ringtone: e.target.value as (typeof RINGTONES)[number] })}>
          {RINGTONES.map((name) => (
            <option key={name} value={name}>
              {name[0]?.toUpperCase() + name.slice(1)}
            </option>
          ))}
        </select>
        <label htmlFor="ringtone-volume">Ringtone volume</label>
        <input
          id="ringtone-volume"
          type="range"
          min={0}
          max={100}
          step={5}
          value={Math.round(settings.ringtoneVolume * 100)}
          onChange={(e) => change({ ringtoneVolume: Number(e.target.value) / 100 })}
        />
        <button type="button" onClick={() => session.sounds.testTone(settings)}>
          Play test sound
        </button>
      </fieldset>
      <fieldset>
        <legend>Identity</legend>
        <p>
          Handle: <strong>{identity?.handle ?? '—'}</strong>
        </p>
        <p>
          Identity key fingerprint: <code aria-label="Identity key fingerprint">{identity?.fingerprint}</code>
        </p>
      </fieldset>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="button" onClick={onClose}>
        Close settings
      </button>
    </section>
  );
}
