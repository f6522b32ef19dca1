import { useState } from 'react';
import { CallScreen } from './CallScreen';
import { CaptureAfterCall } from './CaptureControls';
import { Dialer } from './Dialer';
import { EndedNotice } from './EndedNotice';
import { FirstRun } from './FirstRun';
import { RecordingsPanel } from './RecordingsPanel';
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

export function App() {
  const boot = useApp((s) => s.boot);
  const call = useApp((s) => s.call);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [recordingsOpen, setRecordingsOpen] = useState(false);

  return (
    <div className="app">
      <header>
        <h1>Softphone</h1>
        {boot.state === 'ready' && <ConnectionBadge />}
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
          {call ? <CallScreen call={call} /> : <Dialer />}
          <EndedNotice />
          <CaptureAfterCall />
        </main>
      )}
      {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      {recordingsOpen && <RecordingsPanel onClose={() => setRecordingsOpen(false)} />}
    </div>
  );
}
