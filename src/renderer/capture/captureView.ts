// What the screens show about recording and transcription: the state of the current (or last)
// call's capture, the user's recordings, and the rules the controls follow. The controls use the
// same policy as the host (shared/recordingPolicy.ts), applied to what the renderer knows.
import { CALL_E2EE_STATE, type CallE2eeState } from '../../shared/e2ee/callSecurity';
import type { CaptureKind, RecordingId, RecordingSummary, TranscriptSegment } from '../../shared/protocol';
import { captureUnavailableReason } from '../../shared/recordingPolicy';
import type { CallE2eeView } from '../store/appStore';

export interface CaptureView {
  callId: string;
  recording: boolean;
  transcribing: boolean;
  /** What both parties are told when capture starts or stops ("alice started recording this call."). */
  notice: string | null;
  /** A refusal or failure, until the next change. */
  problem: string | null;
  /** A request of this kind is on its way. */
  pending: CaptureKind | null;
  /** Transcript segments of this call, as they arrived. */
  segments: (TranscriptSegment & { recordingId: RecordingId })[];
}

export interface RecordingsView {
  state: 'idle' | 'loading' | 'loaded' | 'failed';
  items: RecordingSummary[];
  problem: string | null;
}

export const CAPTURE_NAME: Record<CaptureKind, string> = { recording: 'Recording', transcription: 'Transcription' };

export function emptyCapture(callId: string): CaptureView {
  return { callId, recording: false, transcribing: false, notice: null, problem: null, pending: null, segments: [] };
}

/** The call's end-to-end encryption as the host's recording policy sees it (the same mapping). */
export function callE2eeState(e2ee: CallE2eeView | null): CallE2eeState {
  return e2ee ? CALL_E2EE_STATE[e2ee.state] : 'pending';
}

/** Why the Record and Transcribe controls are disabled in this call, or null when they are not. */
export function captureUnavailable(call: { phase: string; e2ee: CallE2eeView | null }): string | null {
  const unavailable = captureUnavailableReason(callE2eeState(call.e2ee));
  if (unavailable) return unavailable.message;
  return call.phase === 'active' ? null : 'Available once the call is connected';
}

/** What to tell the user about a change to the call's capture, made by `by` (`me` is this user). */
export function changeNotice(
  before: Pick<CaptureView, 'recording' | 'transcribing'>,
  after: Pick<CaptureView, 'recording' | 'transcribing'>,
  by: string,
  me: string | undefined,
): string | null {
  const who = by === me ? 'You' : by;
  if (after.recording !== before.recording) return after.recording ? `${who} started recording this call.` : `${who} stopped recording.`;
  if (after.transcribing !== before.transcribing) return after.transcribing ? `${who} started transcribing this call.` : `${who} stopped transcribing.`;
  return null;
}

/** m:ss of a time within a recording. */
export function recordingClock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
