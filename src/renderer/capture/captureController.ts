// Recording and transcription for the UI. Starting either asks the host's recording policy first
// (the `capture.authorize` bridge channel) and only then the server; what the server says about
// the call's capture — changes, transcript segments, finished recordings, failures — goes into
// the store for both parties' screens. Also lists the user's recordings and downloads their files
// through short-lived links.
import type { HostBridge } from '../host/bridge';
import { hostErrorText } from '../host/hostError';
import type { ServerConnection } from '../signaling/serverConnection';
import { offerDownload } from '../ui/offerDownload';
import { getState, setState } from '../store/appStore';
import { CAPTURE_NAME, changeNotice, emptyCapture, type CaptureView } from './captureView';
import type { CaptureKind, RecordingFile, RecordingId, ServerMessage } from '../../shared/protocol';

const REQUEST = {
  recording: { start: 'recording.start', stop: 'recording.stop' },
  transcription: { start: 'transcription.start', stop: 'transcription.stop' },
} as const;

export class CaptureController {
  constructor(
    private readonly host: HostBridge,
    private readonly server: ServerConnection,
  ) {
    server.onMessage((message) => this.onServerMessage(message));
  }

  /** Starts recording or transcribing the current call, if the host's policy and then the server allow it. */
  async start(kind: CaptureKind): Promise<void> {
    const callId = getState().call?.callId;
    if (!callId) return;
    this.update(callId, { pending: kind, problem: null });
    try {
      const decision = await this.host.calls['capture.authorize']({ callId, kind });
      if (!decision.allowed) {
        this.update(callId, { problem: `${CAPTURE_NAME[kind]} refused by this device — ${decision.message}.` });
        return;
      }
      await this.server.request({ type: REQUEST[kind].start, callId, statement: decision.statement });
    } catch (error) {
      this.update(callId, { problem: hostErrorText(error) });
    } finally {
      this.update(callId, { pending: null });
    }
  }

  async stop(kind: CaptureKind): Promise<void> {
    const callId = getState().call?.callId;
    if (!callId) return;
    this.update(callId, { pending: kind, problem: null });
    try {
      await this.server.request({ type: REQUEST[kind].stop, callId });
    } catch (error) {
      this.update(callId, { problem: hostErrorText(error) });
    } finally {
      this.update(callId, { pending: null });
    }
  }

  /** Fetches the user's recordings from the server. */
  async loadRecordings(): Promise<void> {
    setState((state) => ({ recordings: { ...state.recordings, state: 'loading', problem: null } }));
    try {
      const answer = await this.server.request({ type: 'recordings.list' });
      if (answer.type !== 'recordings.list.result') throw new Error('unexpected answer');
      setState({ recordings: { state: 'loaded', items: answer.recordings, problem: null } });
    } catch (error) {
      setState((state) => ({ recordings: { ...state.recordings, state: 'failed', problem: `Your recordings could not be listed: ${hostErrorText(error)}` } }));
    }
  }

  /** Downloads one file of a recording through a link the server makes for this user only. */
  async download(recordingId: RecordingId, file: RecordingFile): Promise<void> {
    try {
      const link = await this.server.request({ type: 'recording.link', recordingId, file });
      if (link.type !== 'recording.link.result') throw new Error('unexpected answer');
      const url = new URL(link.path, (await this.host.serverUrl()).replace(/^ws/, 'http'));
      // Fetched, then saved from a blob: a download link to another origin (the desktop app's page
      // is app://) would be a navigation, which the app refuses.
      const response = await fetch(url, { credentials: 'omit', cache: 'no-store' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      offerDownload(await response.blob(), `softphone-${recordingId}-${file}`);
    } catch (error) {
      setState((state) => ({ recordings: { ...state.recordings, problem: `The download could not start: ${hostErrorText(error)}` } }));
    }
  }

  private onServerMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'call.capture': {
        const before = this.viewOf(message.callId) ?? emptyCapture(message.callId);
        const notice = changeNotice(before, message, message.by, getState().identity?.handle ?? undefined);
        this.update(message.callId, { recording: message.recording, transcribing: message.transcribing, problem: null, ...(notice ? { notice } : {}) });
        break;
      }
      case 'transcript.segment': {
        const view = this.viewOf(message.callId);
        if (!view && getState().call?.callId !== message.callId) break;
        const { recordingId, speaker, role, startMs, endMs, text } = message;
        this.update(message.callId, { segments: [...(view?.segments ?? []), { recordingId, speaker, role, startMs, endMs, text }] });
        break;
      }
      case 'recording.ready': {
        const audio = message.recording.files.includes('mixed.wav');
        const what = audio ? 'The recording' : 'The transcript';
        if (this.viewOf(message.callId)) this.update(message.callId, { notice: `${what} is ready: open Recordings to download it.` });
        if (getState().recordings.state !== 'idle') void this.loadRecordings();
        break;
      }
      case 'capture.failed':
        if (this.viewOf(message.callId) || getState().call?.callId === message.callId) this.update(message.callId, { problem: message.message });
        break;
      case 'call.ended':
        if (this.viewOf(message.callId)) this.update(message.callId, { recording: false, transcribing: false, pending: null });
        break;
      default:
        // Every other message is the call's or the session's.
        break;
    }
  }

  /** The capture view of `callId`, if it is the one shown. */
  private viewOf(callId: string): CaptureView | null {
    const view = getState().capture;
    return view?.callId === callId ? view : null;
  }

  /** Updates the capture view of `callId`, starting a fresh one when it is a different call. */
  private update(callId: string, patch: Partial<CaptureView>): void {
    setState((state) => ({ capture: { ...(state.capture?.callId === callId ? state.capture : emptyCapture(callId)), ...patch } }));
  }
}
