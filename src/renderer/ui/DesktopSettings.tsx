// Settings only the desktop app has: starting at login (main applies it with the system's login
// items), automatic updates (main's updater reads it) and the signaling server's address (main reloads the window for a new one). The web client
// always uses the server that served it and cannot start itself, so it says so instead.
import { useId, useState, type FormEvent } from 'react';
import { useSession } from './context';
import { DEFAULT_SERVER_URL } from '../../shared/bridge';
import { Settings, unencryptedServerProblem, type SettingsPatch } from '../../shared/settings';

/** Why an address cannot be the server's, or null when it can. */
function serverAddressProblem(address: string): string | null {
  const checked = Settings.shape.serverUrl.safeParse(address.trim());
  return checked.success ? null : (checked.error.issues[0]?.message ?? 'not a valid address');
}

function ServerAddress({ saved, change }: { saved: string | null; change: (patch: SettingsPatch) => Promise<void> }) {
  const [address, setAddress] = useState(saved ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const problemId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const issue = serverAddressProblem(address);
    setProblem(issue);
    // The window reloads with the new server's content security policy once main has saved it.
    if (!issue) await change({ serverUrl: address.trim() });
  };

  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Server">
      <label htmlFor={inputId}>Server address</label>
      <input
        id={inputId}
        type="text"
        inputMode="url"
        spellCheck={false}
        value={address}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${hintId} ${problemId}` : hintId}
        onChange={(e) => setAddress(e.target.value)}
      />
      <p id={hintId} className="hint">
        The signaling server, e.g. wss://phone.example.org/ws. Softphone reconnects to it when you save.
      </p>
      {problem && (
        <p id={problemId} role="alert" className="error">
          {problem}
        </p>
      )}
      <button type="submit" disabled={address.trim() === (saved ?? '')}>
        Save server address
      </button>
    </form>
  );
}

/**
 * Plain ws:// to another machine: the warning, and the user's explicit choice to connect anyway
 * (kept for that one address).
 */
function UnencryptedServer({ settings, change }: { settings: Settings; change: (patch: SettingsPatch) => Promise<void> }) {
  const url = settings.serverUrl ?? DEFAULT_SERVER_URL;
  const problem = unencryptedServerProblem(url, null);
  if (!problem) return null;
  if (settings.unencryptedServerConfirmed === url) {
    return (
      <div aria-label="Unencrypted server">
        <p className="hint">You chose to connect to this server without encryption (plain ws://).</p>
        <button type="button" onClick={() => void change({ unencryptedServerConfirmed: null })}>
          Stop using the unencrypted connection
        </button>
      </div>
    );
  }
  return (
    <div aria-label="Unencrypted server">
      <p role="alert" className="error">
        {problem} End-to-end encrypted calls stay protected, but your login, your contacts’ presence and who you call are open to anyone on the way.
      </p>
      <button type="button" onClick={() => void change({ unencryptedServerConfirmed: url })}>
        Connect without encryption anyway
      </button>
    </div>
  );
}

export function DesktopSettings({ settings, change }: { settings: Settings; change: (patch: SettingsPatch) => Promise<void> }) {
  const session = useSession();
  if (session.host.kind === 'web') {
    return (
      <fieldset>
        <legend>Desktop app</legend>
        <p className="hint">
          Starting at login, updates and the server address are settings of the desktop app. This web client always uses the server that served it.
        </p>
      </fieldset>
    );
  }
  return (
    <fieldset>
      <legend>Desktop app</legend>
      <label className="inline">
        <input type="checkbox" checked={settings.startAtLogin} onChange={(e) => void change({ startAtLogin: e.target.checked })} />
        Start Softphone when I log in
      </label>
      <label className="inline">
        <input type="checkbox" checked={settings.automaticUpdates} onChange={(e) => void change({ automaticUpdates: e.target.checked })} />
        Install updates automatically
      </label>
      <ServerAddress key={settings.serverUrl ?? ''} saved={settings.serverUrl} change={change} />
      <UnencryptedServer settings={settings} change={change} />
    </fieldset>
  );
}
