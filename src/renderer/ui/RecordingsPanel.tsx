import { useEffect } from 'react';
import { useSession } from './context';
import { formatDuration } from './text';
import { useApp } from '../store/appStore';
import type { RecordingFile, RecordingSummary } from '../../shared/protocol';

function downloads(recording: RecordingSummary): { file: RecordingFile; label: string }[] {
  const { caller, callee } = recording.participants;
  const labels: Record<RecordingFile, string> = {
    'mixed.wav': 'Download audio (both speakers)',
    'caller.wav': `Download ${caller}’s audio`,
    'callee.wav': `Download ${callee}’s audio`,
    'transcript.txt': 'Download transcript (text)',
    'transcript.json': 'Download transcript (JSON)',
  };
  return recording.files.map((file) => ({ file, label: labels[file] }));
}

/** A transcript made without keeping the audio is a transcript, not a recording. */
export function recordingKind(recording: RecordingSummary): 'Recording' | 'Transcript' {
  const audio = recording.files.some((file) => file.endsWith('.wav'));
  return !audio && recording.files.length > 0 ? 'Transcript' : 'Recording';
}

function RecordingItem({ recording, me }: { recording: RecordingSummary; me: string | null }) {
  const session = useSession();
  const { caller, callee } = recording.participants;
  const peer = caller === me ? callee : caller;
  const when = new Date(recording.createdAt).toLocaleString();
  const kind = recordingKind(recording);
  return (
    <li aria-label={`${kind} of the call with ${peer}, ${when}`}>
      <p>
        {kind} of the call with <strong>{peer}</strong>, {when}
        {recording.status === 'ready' && <>, {formatDuration(recording.durationMs)}</>}
      </p>
      {recording.status === 'processing' && <p role="status">Being processed…</p>}
      {recording.status === 'failed' && <p className="error">Failed: {recording.problem}</p>}
      {recording.status === 'ready' && recording.problem && <p className="warning">{recording.problem}</p>}
      {recording.status === 'ready' && (
        <div className="actions">
          {downloads(recording).map(({ file, label }) => (
            <button key={file} type="button" onClick={() => void session.capture.download(recording.id, file)}>
              {label}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

/** The recordings and transcripts of the user's calls: only the two people in a call can see it. */
export function RecordingsPanel({ onClose }: { onClose: () => void }) {
  const session = useSession();
  const recordings = useApp((s) => s.recordings);
  const me = useApp((s) => s.identity?.handle ?? null);
  useEffect(() => {
    void session.capture.loadRecordings();
  }, [session]);

  return (
    <section className="panel recordings" role="dialog" aria-modal="false" aria-labelledby="recordings-title">
      <h2 id="recordings-title">Recordings</h2>
      <p className="hint">Recordings and transcripts of your calls. Only you and the other person in each call can see or download them.</p>
      {recordings.state === 'loading' && recordings.items.length === 0 && <p role="status">Loading…</p>}
      {recordings.state === 'loaded' && recordings.items.length === 0 && <p>No recordings yet.</p>}
      {recordings.problem && (
        <p role="alert" className="error">
          {recordings.problem}
        </p>
      )}
      {recordings.items.length > 0 && (
        <ul aria-label="Your recordings">
          {recordings.items.map((recording) => (
            <RecordingItem key={recording.id} recording={recording} me={me} />
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" onClick={() => void session.capture.loadRecordings()}>
          Refresh
        </button>
        <button type="button" onClick={onClose}>
          Close recordings
        </button>
      </div>
    </section>
  );
}
