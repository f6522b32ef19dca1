import { useId } from 'react';
import { useSession } from './context';
import { captureUnavailable, recordingClock, type CaptureView } from '../capture/captureView';
import { useApp, type CallView } from '../store/appStore';
import type { CaptureKind } from '../../shared/protocol';

/** Transcript segments, labelled by speaker, with their time in the recording. */
export function Transcript({ segments }: { segments: CaptureView['segments'] }) {
  if (segments.length === 0) return null;
  return (
    <section className="transcript" aria-label="Transcript">
      <h3>Transcript</h3>
      <ol>
        {segments.map((segment) => (
          <li key={`${segment.recordingId}:${segment.role}:${segment.startMs}`}>
            <time dateTime={`PT${(segment.startMs / 1000).toFixed(2)}S`}>{recordingClock(segment.startMs)}</time>{' '}
            <strong className="speaker">{segment.speaker}</strong> <span className="text">{segment.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** What both parties see while recording or transcription is on, and the last notice and problem. */
function CaptureStatus({ capture }: { capture: CaptureView }) {
  const running = [capture.recording && 'Recording', capture.transcribing && 'Transcribing'].filter(Boolean).join(' · ');
  return (
    <>
      {running && (
        <p role="status" aria-label="Capture indicator" className="capture-indicator">
          <span aria-hidden="true">● </span>
          {running}
        </p>
      )}
      {capture.notice && (
        <p role="status" aria-label="Capture notice">
          {capture.notice}
        </p>
      )}
      {capture.problem && (
        <p role="alert" aria-label="Capture problem" className="error">
          {capture.problem}
        </p>
      )}
    </>
  );
}

/** Record and Transcribe in the call view: disabled, with the reason, whenever the server cannot hear the call. */
export function CaptureControls({ call }: { call: CallView }) {
  const session = useSession();
  const stored = useApp((s) => s.capture);
  const reasonId = useId();
  const capture = stored?.callId === call.callId ? stored : null;
  const unavailable = captureUnavailable(call);

  const control = (kind: CaptureKind, on: boolean, labels: { start: string; stop: string }) => (
    <button
      type="button"
      aria-pressed={on}
      disabled={(!on && unavailable !== null) || capture?.pending === kind}
      aria-describedby={unavailable && !on ? reasonId : undefined}
      onClick={() => void (on ? session.capture.stop(kind) : session.capture.start(kind))}
    >
      {on ? labels.stop : labels.start}
    </button>
  );

  return (
    <section className="capture" aria-label="Recording and transcription">
      {capture && <CaptureStatus capture={capture} />}
      <div className="actions">
        {control('recording', capture?.recording ?? false, { start: 'Record', stop: 'Stop recording' })}
        {control('transcription', capture?.transcribing ?? false, { start: 'Transcribe', stop: 'Stop transcription' })}
      </div>
      {unavailable && (
        <p id={reasonId} className="hint">
          {unavailable}
        </p>
      )}
      {capture && <Transcript segments={capture.segments} />}
    </section>
  );
}

/** After a call: what became of its recording or transcript, until the next call. */
export function CaptureAfterCall() {
  const capture = useApp((s) => s.capture);
  const inCall = useApp((s) => s.call !== null);
  if (!capture || inCall || (!capture.notice && !capture.problem && capture.segments.length === 0)) return null;
  return (
    <section className="panel capture" aria-label="Recording and transcript of the last call">
      <CaptureStatus capture={capture} />
      <Transcript segments={capture.segments} />
    </section>
  );
}
