import { useEffect, useId, useRef, useState } from 'react';
import { useSession } from './context';
import { DesktopSettings } from './DesktopSettings';
import { DeviceSettings } from './DeviceSettings';
import { IdentitySettings } from './IdentitySettings';
import { hostErrorText } from '../host/hostError';
import { useApp } from '../store/appStore';
import { DEFAULT_SETTINGS, type SettingsPatch } from '../../shared/settings';

/** Asks the browser for notification permission when the user turns notifications on (a browser tab only). */
function askForWebNotifications(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}

function ResetSettings({ reset }: { reset: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Reset settings…
      </button>
    );
  }
  return (
    <div role="group" aria-label="Confirm reset" className="confirm">
      <p>Put every setting back to its default? Your identity and contacts stay as they are.</p>
      <div className="actions">
        <button type="button" className="danger" onClick={() => void reset().then(() => setConfirming(false))}>
          Reset to defaults
        </button>
        {/* The safe choice takes the focus. */}
        <button type="button" onClick={() => setConfirming(false)} autoFocus>
          Keep my settings
        </button>
      </div>
    </div>
  );
}

/**
 * Settings, applied and saved as soon as they change, in a modal dialog: focus moves into it when
 * it opens and back to where it was when it closes; Escape closes it.
 */
export function SettingsPanel({ onClose }: { onClose: () => void }) {
  const session = useSession();
  const settings = useApp((s) => s.settings);
  const problem = useApp((s) => s.storageProblem);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const e2eeHelp = useId();
  const open = settings !== null;

  useEffect(() => {
    const element = dialog.current;
    if (!open || !element) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    return () => {
      element.close();
      opener?.focus();
    };
  }, [open]);

  if (!settings) return null;

  const change = async (patch: SettingsPatch) => {
    setError(null);
    try {
      await session.updateSettings(patch);
    } catch (failure) {
      setError(hostErrorText(failure));
    }
  };

  return (
    <dialog
      ref={dialog}
      className="panel settings"
      aria-labelledby="settings-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-header">
        <h2 id="settings-title">Settings</h2>
        <button type="button" onClick={onClose}>
          Close settings
        </button>
      </div>
      {problem && (
        <p role="alert" className="warning">
          {problem}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <fieldset>
        <legend>Privacy</legend>
        <label className="inline">
          <input type="checkbox" checked={settings.e2ee} aria-describedby={e2eeHelp} onChange={(e) => void change({ e2ee: e.target.checked })} />
          End-to-end encryption
        </label>
        <p id={e2eeHelp} className="hint">
          A call is end-to-end encrypted only when both of you have this on; then nobody else — not the server — can hear it. While a call is end-to-end
          encrypted, it cannot be recorded or transcribed.
        </p>
      </fieldset>
      <DeviceSettings settings={settings} change={(patch) => void change(patch)} />
      <fieldset>
        <legend>Notifications</legend>
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.notifications}
            onChange={(e) => {
              if (e.target.checked && session.host.kind === 'web') askForWebNotifications();
              void change({ notifications: e.target.checked });
            }}
          />
          Notify me of incoming calls
        </label>
      </fieldset>
      <DesktopSettings settings={settings} change={change} />
      <IdentitySettings />
      <fieldset>
        <legend>Reset</legend>
        <ResetSettings reset={() => change({ ...DEFAULT_SETTINGS })} />
      </fieldset>
    </dialog>
  );
}
