// The pipeline with its real tools — janus-pp-rec, ffmpeg and pocketsphinx — on speech made with
// espeak-ng and written as Janus recordings (testing/mjr.ts), so only Janus itself is missing.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log';
import { RecordingAudio } from './recordingAudio';
import { RecordingPipeline, takeFileName, type FinishedTake } from './recordingPipeline';
import { RecordingStore } from './recordingStore';
import { readWav } from './speech';
import { writeOpusMjr } from './testing/mjr';
import { findExecutable } from './tools';
import { PocketsphinxTranscriber } from './transcriber';

const run = promisify(execFile);
const silentLog: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const TOOLS = ['espeak-ng', 'sox', 'ffmpeg', 'janus-pp-rec', 'pocketsphinx_batch'];
const CALLER_WORDS = 'one two three four five six seven eight nine';
const CALLEE_WORDS = 'nine eight seven six five four three two one';
const CALLEE_DELAY_MS = 700;
const T0 = 1_700_000_000_000_000;
const parties = {
  caller: { handle: 'alice', publicKey: 'A'.repeat(43) },
  callee: { handle: 'bob', publicKey: 'B'.repeat(43) },
};

let missing: string | null = null;
let dir: string;
let speech: { caller: string; callee: string };

/** The test speech: espeak-ng's en-us+klatt4 voice, then sox -R to 16 kHz mono, with silence after. */
async function say(words: string, file: string): Promise<void> {
  const raw = `${file}.raw.wav`;
  await run('espeak-ng', ['-v', 'en-us+klatt4', '-s', '175', '-w', raw, words]);
  await run('sox', ['-R', raw, '-r', '16000', '-c', '1', '-b', '16', file, 'pad', '0.3', '1']);
}

beforeAll(async () => {
  const absent = [];
  for (const tool of TOOLS) if (!(await findExecutable(tool))) absent.push(tool);
  if (absent.length > 0) {
    missing = `${absent.join(', ')} not installed (scripts/setup.sh installs them)`;
    console.warn(`recording pipeline tests skipped: ${missing}`);
    return;
  }
  dir = await mkdtemp(path.join(tmpdir(), 'softphone-pipeline-'));
  speech = { caller: path.join(dir, 'caller-speech.wav'), callee: path.join(dir, 'callee-speech.wav') };
  await Promise.all([say(CALLER_WORDS, speech.caller), say(CALLEE_WORDS, speech.callee)]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach((context) => {
  if (missing) context.skip(missing);
});

interface Setup {
  store: RecordingStore;
  janusDir: string;
  pipeline: RecordingPipeline;
}

async function setup(overrides: { transcriber?: PocketsphinxTranscriber; audio?: RecordingAudio; minFreeBytes?: number } = {}): Promise<Setup> {
  const root = await mkdtemp(path.join(dir, 'case-'));
  const janusDir = path.join(root, 'janus');
  await run('mkdir', [janusDir]);
  const store = new RecordingStore(path.join(root, 'data'));
  const pipeline = new RecordingPipeline({
    janusRecordingsDir: janusDir,
    store,
    audio: overrides.audio ?? new RecordingAudio(),
    transcriber: overrides.transcriber ?? new PocketsphinxTranscriber(),
    log: silentLog,
    ...(overrides.minFreeBytes !== undefined ? { minFreeBytes: overrides.minFreeBytes } : {}),
  });
  return { store, janusDir, pipeline };
}

/** Writes what Janus would have recorded of one take: the callee's first packet CALLEE_DELAY_MS later. */
async function recordTake(janusDir: string, spans: Pick<FinishedTake, 'recordingSpans' | 'transcriptionSpans'>): Promise<FinishedTake> {
  const recordingId = RecordingStore.newId();
  await writeOpusMjr(speech.caller, path.join(janusDir, `${takeFileName(recordingId, 'caller')}-audio-0.mjr`), T0);
  await writeOpusMjr(speech.callee, path.join(janusDir, `${takeFileName(recordingId, 'callee')}-audio-0.mjr`), T0 + CALLEE_DELAY_MS * 1000);
  await writeFile(path.join(janusDir, `${takeFileName(recordingId, 'caller')}-video-1.mjr`), 'video is never kept');
  return { recordingId, callId: 'C'.repeat(22), parties, startedAt: 1_700_000_000_000, durationMs: 4800, ...spans };
}

function rms(samples: Int16Array, fromMs: number, toMs: number): number {
  const part = samples.subarray(fromMs * 16, toMs * 16);
  return Math.sqrt(part.reduce((sum, sample) => sum + sample * sample, 0) / Math.max(1, part.length));
}

describe('RecordingPipeline with janus-pp-rec, ffmpeg and pocketsphinx', () => {
  it('keeps each speaker’s audio and the mix on one timeline, transcribes each speaker, and deletes what Janus wrote', async () => {
    const { store, janusDir, pipeline } = await setup();
    const whole = [{ startMs: 0, endMs: 4800 }];
    const take = await recordTake(janusDir, { recordingSpans: whole, transcriptionSpans: whole });

    const result = await pipeline.process(take);

    expect(result.transcriptionProblem).toBeNull();
    expect(result.summary).toMatchObject({ id: take.recordingId, status: 'ready', problem: null, participants: { caller: 'alice', callee: 'bob' } });
    expect(result.summary.files).toEqual(['mixed.wav', 'caller.wav', 'callee.wav', 'transcript.txt', 'transcript.json']);
    expect(result.summary.durationMs).toBeGreaterThan(4000 + CALLEE_DELAY_MS);
    expect(await readdir(janusDir)).toEqual([]);

    const caller = result.segments.filter((segment) => segment.role === 'caller');
    const callee = result.segments.filter((segment) => segment.role === 'callee');
    expect(caller.map((segment) => segment.text).join(' ')).toBe(CALLER_WORDS);
    expect(callee.map((segment) => segment.text).join(' ')).toBe(CALLEE_WORDS);
    expect(caller[0]?.speaker).toBe('alice');
    expect(callee[0]?.speaker).toBe('bob');
    // The callee started 700 ms later and so speaks 700 ms later on the common timeline.
    expect((callee[0]?.startMs ?? 0) - (caller[0]?.startMs ?? 0)).toBeGreaterThanOrEqual(CALLEE_DELAY_MS - 100);
    expect((callee[0]?.startMs ?? 0) - (caller[0]?.startMs ?? 0)).toBeLessThanOrEqual(CALLEE_DELAY_MS + 100);

    const folder = store.dirOf(take.recordingId);
    const mixed = readWav(await readFile(path.join(folder, 'mixed.wav')));
    expect(mixed.sampleRate).toBe(16_000);
    expect(rms(mixed.samples, 500, 3000)).toBeGreaterThan(500);
    const json = JSON.parse(await readFile(path.join(folder, 'transcript.json'), 'utf8')) as { segments: unknown[] };
    expect(json.segments).toEqual(result.segments);
    const text = await readFile(path.join(folder, 'transcript.txt'), 'utf8');
    expect(text).toContain('Transcript of a call between alice (caller) and bob (callee)');
    expect(text).toMatch(/\[00:0\d\.\d\] alice: one two three/);
    expect(store.listFor(parties.callee.publicKey).map((recording) => recording.id)).toEqual([take.recordingId]);
  }, 60_000);

  it('keeps audio only for the times recording was on, and transcribes only while transcription was on', async () => {
    const { store, janusDir, pipeline } = await setup();
    const take = await recordTake(janusDir, { recordingSpans: [{ startMs: 0, endMs: 1500 }], transcriptionSpans: [{ startMs: 3000, endMs: 4800 }] });

    const result = await pipeline.process(take);

    const caller = readWav(await readFile(path.join(store.dirOf(take.recordingId), 'caller.wav')));
    expect(rms(caller.samples, 400, 1400)).toBeGreaterThan(500);
    expect(rms(caller.samples, 1600, 3500)).toBe(0);
    expect(result.segments.every((segment) => segment.startMs >= 3000)).toBe(true);
    expect(result.segments.map((segment) => segment.text).join(' ')).not.toContain('one two three');
  }, 60_000);

  it('keeps only the transcript of a take that was transcribed but not recorded', async () => {
    const { store, janusDir, pipeline } = await setup();
    const take = await recordTake(janusDir, { recordingSpans: [], transcriptionSpans: [{ startMs: 0, endMs: 4800 }] });
    const result = await pipeline.process(take);
    expect(result.summary.files).toEqual(['transcript.txt', 'transcript.json']);
    expect((await readdir(store.dirOf(take.recordingId))).sort()).toEqual(['transcript.json', 'transcript.txt']);
  }, 60_000);

  it('keeps the recording and says why when the speech engine is missing', async () => {
    const { janusDir, pipeline } = await setup({ transcriber: new PocketsphinxTranscriber({ program: '/nonexistent/pocketsphinx_batch' }) });
    const whole = [{ startMs: 0, endMs: 4800 }];
    const result = await pipeline.process(await recordTake(janusDir, { recordingSpans: whole, transcriptionSpans: whole }));
    expect(result.transcriptionProblem).toBe('pocketsphinx_batch is not installed on the server (Debian package pocketsphinx)');
    expect(result.summary.files).toEqual(['mixed.wav', 'caller.wav', 'callee.wav']);
    expect(result.summary.problem).toBe('The transcript could not be made: pocketsphinx_batch is not installed on the server (Debian package pocketsphinx).');
  }, 60_000);

  it('fails with a clear reason when janus-pp-rec is missing, lists the recording as failed and deletes the raw files', async () => {
    const { store, janusDir, pipeline } = await setup({ audio: new RecordingAudio({ janusPpRec: '/nonexistent/janus-pp-rec' }) });
    const whole = [{ startMs: 0, endMs: 4800 }];
    const take = await recordTake(janusDir, { recordingSpans: whole, transcriptionSpans: [] });
    await expect(pipeline.process(take)).rejects.toThrow('janus-pp-rec is not installed on the server (Debian package janus-tools)');
    expect(store.listFor(parties.caller.publicKey)).toMatchObject([
      { id: take.recordingId, status: 'failed', problem: 'janus-pp-rec is not installed on the server (Debian package janus-tools)' },
    ]);
    expect(await readdir(janusDir)).toEqual([]);
    expect(await pipeline.problem('recording')).toBe('janus-pp-rec is not installed on the server (Debian package janus-tools)');
  }, 60_000);

  it('refuses to start on a nearly full disk, and names a missing engine before transcription starts', async () => {
    expect(await (await setup({ minFreeBytes: Number.MAX_SAFE_INTEGER })).pipeline.problem('recording')).toBe('the server’s disk is nearly full');
    const noEngine = await setup({ transcriber: new PocketsphinxTranscriber({ modelDir: '/nonexistent/model' }) });
    expect(await noEngine.pipeline.problem('recording')).toBeNull();
    expect(await noEngine.pipeline.problem('transcription')).toMatch(
      /^the speech recognition model is not installed on the server \(Debian package pocketsphinx-en-us/,
    );
  });
});
