// Recording and transcription of calls, on the server. Either party of a call that is NOT end-to-end
// encrypted can turn each on and off; both are told every change (`call.capture`). While anything
// is on, Janus records both parties' published audio (`configure {record: true}`) into one take;
// when everything is off again, or the call ends, the take is processed (recordingPipeline.ts) and
// both parties get the transcript segments and a `recording.ready`, or a `capture.failed` that
// leaves the call as it was.
//
// The gate: every start request must carry a capture statement signed by the requester's identity
// key for this call and kind (shared/recordingPolicy.ts) — the requester's host signs one only when
// its own recording policy allows, so a client that bypasses its host is refused with `not-allowed`.
// Then the call's room is checked — an end-to-end encrypted room is refused with
// `end-to-end-encrypted` before anything is asked of Janus (and MediaRoom refuses to record such a
// room too). The rooms of all calls come from `createRoom` here, which wraps the
// media server's factory so a take is closed before its room is destroyed.
import type { Account } from '../accounts';
import type { Party } from '../callMachine';
import { CallError, type CallRoom, type ParticipantCall, type RoomFactory } from '../calls';
import type { MediaRoom } from '../janus/gateway';
import type { Logger } from '../log';
import type { DownloadLinks } from './downloadLinks';
import { RecordingStore } from './recordingStore';
import { takeFileName, type FinishedTake, type RecordingPipeline } from './recordingPipeline';
import type { Span } from './speech';
import { ToolError } from './tools';
import { fromBase64Url } from '../../shared/encoding';
import type { CallId, CaptureKind, ClientMessage, RecordingId, ServerMessageBody } from '../../shared/protocol';
import { verifyCaptureStatement } from '../../shared/recordingPolicy';

/** The client messages the recording service answers. */
export const CAPTURE_REQUEST_TYPES = [
  'recording.start',
  'recording.stop',
  'transcription.start',
  'transcription.stop',
  'recordings.list',
  'recording.link',
] as const satisfies readonly ClientMessage['type'][];

export type CaptureRequest = Extract<ClientMessage, { type: (typeof CAPTURE_REQUEST_TYPES)[number] }>;

/** The part of a media room recording needs, beside what calls use. */
export type RecordableRoom = CallRoom & Pick<MediaRoom, 'startRecording' | 'stopRecording'>;

export interface RecordableRoomFactory {
  createRoom(opts: { e2ee: boolean; video: boolean }): Promise<RecordableRoom>;
}

export interface CallCaptureOptions {
  /** The media server's room factory (MediaServer). */
  readonly media: RecordableRoomFactory;
  /** The calls a user is in (CallService); a function, as the call service is built after this. */
  readonly calls: () => { participantCall(handle: string, callId: CallId): ParticipantCall | null };
  /** Delivers a message to a user's live connection, if there is one. */
  readonly send: (handle: string, message: ServerMessageBody) => void;
  readonly store: Pick<RecordingStore, 'listFor'>;
  readonly links: Pick<DownloadLinks, 'issue'>;
  /** Null when this server cannot record (no Janus recordings folder configured): every start is refused. */
  readonly pipeline: Pick<RecordingPipeline, 'problem' | 'process' | 'discardRaw'> | null;
  readonly log: Logger;
  readonly now?: () => number;
}

/** One kind of capture's on-times within a take. */
class OnTimes {
  readonly spans: Span[] = [];
  private since: number | null = null;

  get on(): boolean {
    return this.since !== null;
  }

  start(atMs: number): void {
    this.since ??= atMs;
  }

  stop(atMs: number): void {
    if (this.since === null) return;
    this.spans.push({ startMs: this.since, endMs: Math.max(this.since, atMs) });
    this.since = null;
  }
}

interface Take {
  readonly recordingId: RecordingId;
  readonly startedAt: number;
  readonly times: Record<CaptureKind, OnTimes>;
}

interface CallCaptureState {
  readonly callId: CallId;
  readonly room: RecordableRoom;
  readonly parties: Record<Party, Account>;
  take: Take | null;
  by: string;
  /** This call's capture changes, one after another. */
  queue: Promise<unknown>;
  ended: boolean;
}

const NAME: Record<CaptureKind, string> = { recording: 'Recording', transcription: 'Transcription' };

export class CallCapture implements RoomFactory {
  private readonly rooms = new Map<string, RecordableRoom>();
  private readonly states = new Map<CallId, CallCaptureState>();
  /** Takes are processed one at a time, so a busy server runs one ffmpeg or pocketsphinx at once. */
  private processing: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: CallCaptureOptions) {
    this.now = options.now ?? Date.now;
  }

  async createRoom(opts: { e2ee: boolean; video: boolean }): Promise<CallRoom> {
    const room = await this.options.media.createRoom(opts);
    this.rooms.set(room.id, room);
    return {
      id: room.id,
      e2ee: room.e2ee,
      onEvent: (listener) => room.onEvent(listener),
      publish: (party, offer) => room.publish(party, offer),
      subscribe: (viewer, to) => room.subscribe(viewer, to),
      startSubscription: (viewer, answer) => room.startSubscription(viewer, answer),
      trickle: (party, leg, candidate) => room.trickle(party, leg, candidate),
      destroy: async () => {
        await this.roomEnding(room.id);
        this.rooms.delete(room.id);
        return room.destroy();
      },
    };
  }

  /** Handles one request; resolves with the answer, throws CallError for a refusal. */
  async handle(from: Account, message: CaptureRequest): Promise<ServerMessageBody> {
    switch (message.type) {
      case 'recording.start':
        return this.start(from, message.callId, 'recording', message.statement);
      case 'transcription.start':
        return this.start(from, message.callId, 'transcription', message.statement);
      case 'recording.stop':
        return this.stop(from, message.callId, 'recording');
      case 'transcription.stop':
        return this.stop(from, message.callId, 'transcription');
      case 'recordings.list':
        return { type: 'recordings.list.result', recordings: this.options.store.listFor(from.publicKey) };
      case 'recording.link': {
        const link = this.options.links.issue(from.publicKey, message.recordingId, message.file);
        if (!link) throw new CallError('no-such-recording', 'there is no such recording of a call of yours, or it has no such file');
        return { type: 'recording.link.result', recordingId: message.recordingId, file: message.file, path: link.path, expiresAt: link.expiresAt };
      }
    }
  }

  /** A user logged in (again): if their call is being captured, say so, as they may have missed it. */
  sessionStarted(handle: string): void {
    for (const state of this.states.values()) {
      if (state.take && (state.parties.caller.handle === handle || state.parties.callee.handle === handle)) {
        this.options.send(handle, this.stateMessage(state));
      }
    }
  }

  /** Waits (a bounded time) for takes being processed. */
  async close(waitMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.processing, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  // ---- requests -----------------------------------------------------------------------------------

  private async start(from: Account, callId: CallId, kind: CaptureKind, statement: string): Promise<ServerMessageBody> {
    const call = this.options.calls().participantCall(from.handle, callId);
    if (!call) throw new CallError('no-such-call', 'no such call');
    if (!verifyCaptureStatement(statement, { callId, kind }, fromBase64Url(from.publicKey))) {
      this.options.log.warn('capture refused: no valid capture statement', { callId, kind });
      throw new CallError('not-allowed', `${NAME[kind]} needs your app’s signed consent for this call, and this request does not carry it.`);
    }
    const room = call.roomId === null ? undefined : this.rooms.get(call.roomId);
    if (call.e2ee === true || room?.e2ee === true) {
      this.options.log.info('capture refused: end-to-end encrypted call', { callId, kind });
      throw new CallError(
        'end-to-end-encrypted',
        `${NAME[kind]} is unavailable: this call is end-to-end encrypted, so nobody but its two parties can hear it — not this server.`,
      );
    }
    if (call.state !== 'active' || !room) throw new CallError('not-allowed', `${NAME[kind].toLowerCase()} can start once the call is connected`);
    const pipeline = this.options.pipeline;
    if (!pipeline) throw new CallError('unavailable', `${NAME[kind]} is not set up on this server (it needs the media server’s recordings folder)`);

    const state = this.stateFor(call, room);
    return this.serially(state, async () => {
      if (state.ended) throw new CallError('no-such-call', 'the call has ended');
      if (state.take?.times[kind].on) return { type: 'ok' };
      const problem = await pipeline.problem(kind);
      if (problem) {
        this.options.log.warn('capture unavailable', { callId, kind, problem });
        throw new CallError('unavailable', `${NAME[kind]} is unavailable: ${problem}.`);
      }
      state.take ??= await this.startTake(state, kind);
      state.take.times[kind].start(this.now() - state.take.startedAt);
      state.by = from.handle;
      this.options.log.info('capture started', { callId, kind });
      this.broadcast(state, this.stateMessage(state));
      return { type: 'ok' };
    });
  }

  private async stop(from: Account, callId: CallId, kind: CaptureKind): Promise<ServerMessageBody> {
    if (!this.options.calls().participantCall(from.handle, callId)) throw new CallError('no-such-call', 'no such call');
    const state = this.states.get(callId);
    if (!state) return { type: 'ok' };
    return this.serially(state, async () => {
      const take = state.take;
      if (!take?.times[kind].on) return { type: 'ok' };
      take.times[kind].stop(this.now() - take.startedAt);
      state.by = from.handle;
      this.options.log.info('capture stopped', { callId, kind });
      if (!take.times.recording.on && !take.times.transcription.on) await this.endTake(state);
      this.broadcast(state, this.stateMessage(state));
      return { type: 'ok' };
    });
  }

  // ---- takes --------------------------------------------------------------------------------------

  /** Has Janus record both parties; when it cannot, stops what did start and tells both parties. */
  private async startTake(state: CallCaptureState, kind: CaptureKind): Promise<Take> {
    const take: Take = {
      recordingId: RecordingStore.newId(),
      startedAt: this.now(),
      times: { recording: new OnTimes(), transcription: new OnTimes() },
    };
    const parties = ['caller', 'callee'] as const;
    const started = await Promise.allSettled(parties.map((party) => state.room.startRecording(party, takeFileName(take.recordingId, party))));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (!failure) return take;
    this.options.log.error('Janus did not start recording', { callId: state.callId, error: String(failure.reason) });
    await Promise.allSettled(parties.filter((_, i) => started[i]?.status === 'fulfilled').map((party) => state.room.stopRecording(party)));
    await this.options.pipeline?.discardRaw(take.recordingId);
    const message = `${NAME[kind]} could not start: the media server did not record the call.`;
    this.broadcast(state, { type: 'capture.failed', callId: state.callId, kind, message });
    throw new CallError('media-failed', message);
  }

  /** Stops Janus recording and queues the take for processing. */
  private async endTake(state: CallCaptureState): Promise<void> {
    const take = state.take;
    if (!take) return;
    state.take = null;
    const endMs = this.now() - take.startedAt;
    take.times.recording.stop(endMs);
    take.times.transcription.stop(endMs);
    const stopped = await Promise.allSettled((['caller', 'callee'] as const).map((party) => state.room.stopRecording(party)));
    for (const result of stopped) {
      if (result.status === 'rejected') this.options.log.warn('Janus did not stop recording', { callId: state.callId, error: String(result.reason) });
    }
    const finished: FinishedTake = {
      recordingId: take.recordingId,
      callId: state.callId,
      parties: state.parties,
      startedAt: take.startedAt,
      durationMs: endMs,
      recordingSpans: take.times.recording.spans,
      transcriptionSpans: take.times.transcription.spans,
    };
    this.processing = this.processing.then(() => this.process(finished));
  }

  private async process(take: FinishedTake): Promise<void> {
    const pipeline = this.options.pipeline;
    if (!pipeline) return;
    const both = (message: ServerMessageBody) => {
      for (const party of ['caller', 'callee'] as const) this.options.send(take.parties[party].handle, message);
    };
    const kind: CaptureKind = take.recordingSpans.length > 0 ? 'recording' : 'transcription';
    try {
      const result = await pipeline.process(take);
      for (const segment of result.segments) both({ type: 'transcript.segment', callId: take.callId, recordingId: take.recordingId, ...segment });
      both({ type: 'recording.ready', callId: take.callId, recording: result.summary });
      if (result.transcriptionProblem) {
        both({ type: 'capture.failed', callId: take.callId, kind: 'transcription', message: `Transcription failed: ${result.transcriptionProblem}.` });
      }
    } catch (error) {
      // The pipeline's ToolError is written for users; anything else is told plainly (the log has it).
      const reason = error instanceof ToolError ? error.message : 'the server could not process it';
      if (!(error instanceof ToolError)) this.options.log.error('recording processing failed', { callId: take.callId, error });
      both({ type: 'capture.failed', callId: take.callId, kind, message: `${NAME[kind]} failed: ${reason}.` });
    }
  }

  /** The call is ending: its take (if any) is closed before the room goes. */
  private async roomEnding(roomId: string): Promise<void> {
    const state = [...this.states.values()].find((candidate) => candidate.room.id === roomId);
    if (!state) return;
    this.states.delete(state.callId);
    await this.serially(state, async () => {
      state.ended = true;
      await this.endTake(state);
    }).catch((error: unknown) => this.options.log.error('closing a take failed', { callId: state.callId, error: String(error) }));
  }

  // ---- state --------------------------------------------------------------------------------------

  private stateFor(call: ParticipantCall, room: RecordableRoom): CallCaptureState {
    let state = this.states.get(call.id);
    if (!state) {
      state = { callId: call.id, room, parties: call.parties, take: null, by: call.parties.caller.handle, queue: Promise.resolve(), ended: false };
      this.states.set(call.id, state);
    }
    return state;
  }

  private serially<T>(state: CallCaptureState, operation: () => Promise<T>): Promise<T> {
    const result = state.queue.catch(() => undefined).then(operation);
    state.queue = result;
    return result;
  }

  private stateMessage(state: CallCaptureState): ServerMessageBody {
    return {
      type: 'call.capture',
      callId: state.callId,
      recording: state.take?.times.recording.on ?? false,
      transcribing: state.take?.times.transcription.on ?? false,
      by: state.by,
    };
  }

  private broadcast(state: CallCaptureState, message: ServerMessageBody): void {
    for (const party of ['caller', 'callee'] as const) this.options.send(state.parties[party].handle, message);
  }
}
