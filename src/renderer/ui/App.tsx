import { useState } from 'react';
import { CallScreen } from './CallScreen';
import { CaptureAfterCall } from './CaptureControls';
import { useSession } from './context';
import { DialRequest } from './DialRequest';
import { EndedNotice } from './EndedNotice';
import { FirstRun } from './FirstRun';
import { RecordingsPanel } from './RecordingsPanel';
import { Home } from './Home';
import { useCallShortcuts } from './shortcuts';
import { SettingsPanel } from './SettingsPanel';
import { useApp } from '../store/appStore';

function ConnectionBadge() {
  const connection = useApp((s) => s.connection);
  const text =
    connection.state === 'online'
      ? `Connected as ${connection.handle}`
      : connection.state === 'connecting'
        ? 'Connecting to the server…'
        : `Offline: ${connection.reason}${connection.retryInSeconds !== null ? ` (retrying in ${connection.retryInSeconds} s)` : ''}`;
  return (
    <p role="status" aria-label="Connection" className={`connection ${connection.state}`}>
      {text}
    </p>
  );
}

function DoNotDisturb() {
  const session = useSession();
  const on = useApp((s) => s.doNotDisturb);
  return (
    <label className="inline">
      <input type="checkbox" checked={on} onChange={(e) => session.contacts.setDoNotDisturb(e.target.checked)} />
      Do not disturb
    </label>
  );
}

export function App() {
  const session = useSession();
  const boot = useApp((s) => s.boot);
  // Only whether there is a call: the call itself changes every second (its stats), and CallScreen
  // subscribes to it on its own.
  const inCall = useApp((s) => s.call !== null);
  const notice = useApp((s) => s.notice);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [recordingsOpen, setRecordingsOpen] = useState(false);
  useCallShortcuts(session.calls);

  return (
    <div className="app">
      <header>
        <h1>Softphone</h1>
        {boot.state === 'ready' && <ConnectionBadge />}
        {boot.state === 'ready' && <DoNotDisturb />}
        {boot.state === 'ready' && (
          <button type="button" aria-expanded={recordingsOpen} onClick={() => setRecordingsOpen(!recordingsOpen)}>
            Recordings
          </button>
        )}
        {boot.state !== 'loading' && (
          <button type="button" aria-expanded={settingsOpen} onClick={() => setSettingsOpen(!settingsOpen)}>
            Settings
          </button>
        )}
      </header>
      {boot.state === 'loading' && <p role="status">Starting…</p>}
      {boot.state === 'failed' && (
        <p role="alert" className="error">
          The app could not start: {boot.message}
        </p>
      )}
      {boot.state === 'first-run' && <FirstRun />}
      {boot.state === 'ready' && (
        <main>
          {notice && (
            <p role="alert" className="notice">
              {notice}
            </p>
          )}
          {!inCall && <DialRequest />}
          {inCall ? <CallScreen /> : <Home />}
          <EndedNotice />
          <CaptureAfterCall />
        </main>
      )}
      {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      {recordingsOpen && <RecordingsPanel onClose={() => setRecordingsOpen(false)} />}
    </div>
  );
}
