// What happens to one take after it ends — a stretch of a call during which Janus recorded both
// parties because recording, transcription or both were on. Each speaker's .mjr becomes a 16 kHz
// WAV on a common timeline; audio is kept only for the times recording was on (silence elsewhere)
// and transcribed only for the times transcription was on. The kept files go to the recording's
// folder, the raw .mjr files are deleted, and the index says what the recording has.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Account } from '../accounts';
import type { Party } from '../callMachine';
import type { Logger } from '../log';
import { wavDurationMs, type RecordingAudio } from './recordingAudio';
import type { RecordingStore } from './recordingStore';
import type { Span } from './speech';
import { diskFull, findExecutable, freeBytes, isDiskFull, missingProgram, ToolError } from './tools';
import type { Transcriber } from './transcriber';
import type { CallId, RecordingFile, RecordingId, RecordingSummary, TranscriptSegment } from '../../shared/protocol';

/** A take that has ended, with when each kind of capture was on (ms from the take's start). */
export interface FinishedTake {
  readonly recordingId: RecordingId;
  readonly callId: CallId;
  readonly parties: Record<Party, Account>;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly recordingSpans: readonly Span[];
  readonly transcriptionSpans: readonly Span[];
}

export interface ProcessedRecording {
  readonly summary: RecordingSummary;
  readonly segments: readonly TranscriptSegment[];
  /** Why there is no transcript although transcription was on, or null. */
  readonly transcriptionProblem: string | null;
}

export interface RecordingPipelineOptions {
  /** Janus's recordings folder (its rooms' `rec_dir`), on this machine. */
  readonly janusRecordingsDir: string;
  readonly store: RecordingStore;
  readonly audio: RecordingAudio;
  readonly transcriber: Transcriber;
  readonly log: Logger;
  /** Recording and transcription do not start with less free space than this (default 256 MB). */
  readonly minFreeBytes?: number;
}

const DEFAULT_MIN_FREE_BYTES = 256 * 1024 * 1024;
/** A recording span this close to both ends of the take covers it all: nothing to silence. */
const EDGE_MS = 50;

/** What every file Janus records of a take starts with. */
function takePrefix(recordingId: RecordingId): string {
  return `rec-${recordingId}-`;
}

/** The file name Janus records a party of a take under (Janus adds `-audio-0.mjr` and so on). */
export function takeFileName(recordingId: RecordingId, party: Party): string {
  return `${takePrefix(recordingId)}${party}`;
}

export class RecordingPipeline {
  private readonly minFreeBytes: number;

  constructor(private readonly options: RecordingPipelineOptions) {
    this.minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  }

  /** What keeps a take of this kind from starting now (a tool missing, a full disk), or null. */
  async problem(kind: 'recording' | 'transcription'): Promise<string | null> {
    for (const { program, packageName } of this.options.audio.programs) {
      if (!(await findExecutable(program))) return missingProgram(path.basename(program), packageName).message;
    }
    if (kind === 'transcription') {
      const problem = await this.options.transcriber.problem();
      if (problem) return problem;
    }
    for (const dir of [this.options.store.folder, this.options.janusRecordingsDir]) {
      let free: number;
      try {
        free = await freeBytes(dir);
      } catch {
        return `the recordings folder ${dir === this.options.store.folder ? 'of the server' : 'of the media server'} cannot be read`;
      }
      if (free < this.minFreeBytes) return 'the server’s disk is nearly full';
    }
    return null;
  }

  /** Turns a finished take into a stored recording. Throws (with a message for users) when nothing could be kept. */
  async process(take: FinishedTake): Promise<ProcessedRecording> {
    const { store, log } = this.options;
    const workDir = path.join(store.folder, `.work-${take.recordingId}`);
    try {
      // Inside the try: on a full disk even this first write fails, and what Janus wrote must go.
      store.create(take.recordingId, take.callId, take.parties, take.startedAt);
      await mkdir(workDir, { mode: 0o700 });
      const tracks = await this.decodeTracks(take, workDir);
      const durationMs = Math.max(...(await Promise.all(tracks.map((track) => wavDurationMs(track.wav)))));

      let segments: TranscriptSegment[] = [];
      let transcriptionProblem: string | null = null;
      if (take.transcriptionSpans.length > 0) {
        try {
          segments = await this.transcribe(take, tracks, workDir);
        } catch (error) {
          transcriptionProblem = userMessage(error);
          log.warn('transcription failed', { recordingId: take.recordingId, error: describe(error) });
        }
      }

      const files: RecordingFile[] = [];
      const folder = store.dirOf(take.recordingId);
      if (take.recordingSpans.length > 0) {
        const kept = await this.keepAudio(take, tracks, durationMs, workDir, folder);
        files.push('mixed.wav', ...kept);
      }
      if (take.transcriptionSpans.length > 0 && transcriptionProblem === null) {
        await writeTranscript(folder, take, durationMs, segments);
        files.push('transcript.txt', 'transcript.json');
      }
      const problem = transcriptionProblem && `The transcript could not be made: ${transcriptionProblem}.`;
      if (files.length === 0) throw new ToolError(transcriptionProblem ?? 'nothing was recorded', 'failed');
      store.complete(take.recordingId, { durationMs, files, problem });
      const summary = store.getFor(take.parties.caller.publicKey, take.recordingId);
      if (!summary) throw new Error('the recording vanished from the index');
      log.info('recording ready', { recordingId: take.recordingId, callId: take.callId, durationMs, files: files.length, segments: segments.length });
      return { summary, segments, transcriptionProblem };
    } catch (error) {
      const message = userMessage(error);
      log.error('recording processing failed', { recordingId: take.recordingId, callId: take.callId, error: describe(error) });
      try {
        store.fail(take.recordingId, message);
      } catch (failError) {
        log.error('could not mark the recording failed', { recordingId: take.recordingId, error: describe(failError) });
      }
      throw new ToolError(message, error instanceof ToolError ? error.reason : 'failed');
    } finally {
      await rm(workDir, { recursive: true, force: true });
      await this.discardRaw(take.recordingId);
    }
  }

  /** Deletes what Janus recorded of a take (audio and video), whatever became of it. */
  async discardRaw(recordingId: RecordingId): Promise<void> {
    const prefix = takePrefix(recordingId);
    const names = await readdir(this.options.janusRecordingsDir).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => rm(path.join(this.options.janusRecordingsDir, name), { force: true })));
  }

  /** Each party's audio as a 16 kHz WAV, all starting at the moment the earliest packet was recorded. */
  private async decodeTracks(take: FinishedTake, workDir: string): Promise<{ party: Party; wav: string }[]> {
    const names = await readdir(this.options.janusRecordingsDir);
    const found = (['caller', 'callee'] as const).flatMap((party) => {
      const prefix = `${takeFileName(take.recordingId, party)}-audio-`;
      const mjr = names.filter((name) => name.startsWith(prefix) && name.endsWith('.mjr')).sort()[0];
      return mjr ? [{ party, mjr: path.join(this.options.janusRecordingsDir, mjr) }] : [];
    });
    if (found.length === 0) throw new ToolError('the media server recorded no audio', 'failed');
    const starts = await Promise.all(found.map((track) => this.options.audio.firstPacketMicros(track.mjr)));
    const known = starts.filter((start): start is number => start !== null);
    const earliest = known.length > 0 ? Math.min(...known) : 0;
    return Promise.all(
      found.map(async (track, i) => {
        const start = starts[i] ?? null;
        const delayMs = start === null ? 0 : (start - earliest) / 1000;
        return { party: track.party, wav: await this.options.audio.decode(track.mjr, delayMs, workDir, track.party) };
      }),
    );
  }

  private async transcribe(take: FinishedTake, tracks: { party: Party; wav: string }[], workDir: string): Promise<TranscriptSegment[]> {
    const problem = await this.options.transcriber.problem();
    if (problem) throw new ToolError(problem, 'missing');
    const segments: TranscriptSegment[] = [];
    for (const track of tracks) {
      const texts = await this.options.transcriber.transcribe(track.wav, take.transcriptionSpans, workDir);
      const speaker = take.parties[track.party].handle;
      for (const text of texts) segments.push({ speaker, role: track.party, startMs: text.startMs, endMs: text.endMs, text: text.text });
    }
    return segments.sort((a, b) => a.startMs - b.startMs || a.role.localeCompare(b.role));
  }

  /** Moves each party's audio into the recording's folder (silenced where recording was off) and mixes them. */
  private async keepAudio(
    take: FinishedTake,
    tracks: { party: Party; wav: string }[],
    durationMs: number,
    workDir: string,
    folder: string,
  ): Promise<RecordingFile[]> {
    const spans = take.recordingSpans;
    const whole = spans.length === 1 && (spans[0]?.startMs ?? 0) <= EDGE_MS && (spans[0]?.endMs ?? 0) >= Math.min(take.durationMs, durationMs) - EDGE_MS;
    const kept: { file: RecordingFile; path: string }[] = [];
    for (const track of tracks) {
      const file: RecordingFile = `${track.party}.wav`;
      const keptPath = path.join(workDir, `kept-${file}`);
      if (whole) await rename(track.wav, keptPath);
      else await this.options.audio.silenceOutside(track.wav, spans, keptPath);
      kept.push({ file, path: keptPath });
    }
    await this.options.audio.mix(
      kept.map((track) => track.path),
      path.join(folder, 'mixed.wav'),
    );
    for (const track of kept) await rename(track.path, path.join(folder, track.file));
    return kept.map((track) => track.file);
  }
}

async function writeTranscript(folder: string, take: FinishedTake, durationMs: number, segments: readonly TranscriptSegment[]): Promise<void> {
  const { caller, callee } = take.parties;
  const json = { recordingId: take.recordingId, callId: take.callId, createdAt: take.startedAt, durationMs, segments };
  const lines = segments.map((segment) => `[${clock(segment.startMs)}] ${segment.speaker}: ${segment.text}`);
  const heading = `Transcript of a call between ${caller.handle} (caller) and ${callee.handle} (callee), ${new Date(take.startedAt).toISOString()}`;
  await writeFile(path.join(folder, 'transcript.json'), `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  await writeFile(path.join(folder, 'transcript.txt'), `${heading}\n\n${lines.join('\n')}${lines.length ? '\n' : '(nothing was recognised)\n'}`, {
    mode: 0o600,
  });
}

/** mm:ss.t from ms. */
function clock(ms: number): string {
  const seconds = ms / 1000;
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;
}

/** What a user is told: a tool's own explanation, a full disk, or a general failure (details go to the log). */
function userMessage(error: unknown): string {
  if (error instanceof ToolError) return error.message;
  if (isDiskFull(error)) return diskFull().message;
  return 'the server could not process it';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
