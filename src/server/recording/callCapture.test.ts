// Recording and transcription requests through the real signaling server over loopback WebSockets,
// with real signatures and the real recordings index. Janus's rooms and the audio pipeline are
// fakes here (recordingPipeline.test.ts runs the real tools; the end-to-end tests run Janus).
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountStore } from '../accounts';
import type { Logger } from '../log';
import { SignalingServer } from '../signaling';
import { FakeRoom, TestUser } from '../testing/signalingFakes';
import { CallCapture } from './callCapture';
import { DownloadLinks } from './downloadLinks';
import type { FinishedTake, ProcessedRecording } from './recordingPipeline';
import { RecordingStore } from './recordingStore';
import { ToolError } from './tools';

const log: Logger = { debug: () => {}, info: vi.fn(), warn: () => {}, error: () => {} };

interface Harness {
  url: string;
  rooms: FakeRoom[];
  store: RecordingStore;
  pipeline: { problem: ReturnType<typeof vi.fn>; process: ReturnType<typeof vi.fn>; discardRaw: ReturnType<typeof vi.fn> };
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((harness) => harness.close()));
});

const segment = { speaker: 'alice', role: 'caller' as const, startMs: 1200, endMs: 3400, text: 'one two three' };

async function startHarness(options: { recording?: boolean } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'softphone-capture-'));
  const accounts = new AccountStore(':memory:');
  const store = new RecordingStore(dataDir);
  const rooms: FakeRoom[] = [];
  const pipeline = {
    problem: vi.fn(async (): Promise<string | null> => null),
    process: vi.fn(async (take: FinishedTake): Promise<ProcessedRecording> => {
      store.create(take.recordingId, take.callId, take.parties, take.startedAt);
      store.complete(take.recordingId, { durationMs: take.durationMs, files: ['mixed.wav', 'transcript.txt'], problem: null });
      const summary = store.getFor(take.parties.caller.publicKey, take.recordingId)!;
      return { summary, segments: take.transcriptionSpans.length > 0 ? [segment] : [], transcriptionProblem: null };
    }),
    discardRaw: vi.fn(async () => undefined),
  };
  const capture: CallCapture = new CallCapture({
    media: { createRoom: async ({ e2ee }) => rooms[rooms.push(new FakeRoom(`room-${rooms.length}`, e2ee)) - 1]! },
    calls: () => signaling.callService,
    send: (handle, message) => signaling.sendTo(handle, message),
    store,
    links: new DownloadLinks(store),
    pipeline: options.recording === false ? null : pipeline,
    log,
  });
  const signaling = new SignalingServer({ accounts, rooms: capture, capture, log, ringTimeoutMs: 10_000, connectTimeoutMs: 10_000, reconnectGraceMs: 10_000 });
  const server = http.createServer();
  server.on('upgrade', (request, socket, head) => signaling.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const harness: Harness = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    rooms,
    store,
    pipeline,
    async close() {
      await signaling.close();
      await capture.close();
      server.close();
      accounts.close();
      store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  open.push(harness);
  return harness;
}

const CALL = 'call000000000000000001';
const decision = (role: 'caller' | 'callee', e2ee: boolean) => ({
  e2ee,
  role,
  handshake: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256',
  issuedAt: 0,
  signature: 'S'.repeat(86),
});

async function users(harness: Harness, ...handles: string[]): Promise<TestUser[]> {
  const result = handles.map((handle) => new TestUser(handle));
  for (const user of result) await user.connect(harness.url);
  return result;
}

async function establish(alice: TestUser, bob: TestUser, e2ee: boolean, callId = CALL) {
  await alice.client.request({ type: 'call.invite', callId, to: 'bob', video: false, decision: decision('caller', e2ee) });
  await bob.next('call.incoming');
  await bob.client.request({ type: 'call.accept', callId, decision: decision('callee', e2ee) });
  for (const user of [alice, bob]) await user.client.request({ type: 'media.publish', callId, jsep: { type: 'offer', sdp: user.handle }, e2ee });
  for (const user of [alice, bob]) {
    await user.next('media.subscribe-offer');
    user.client.send({ type: 'media.subscribe-answer', callId, jsep: { type: 'answer', sdp: 'x' } });
  }
  await alice.next('call.active');
  await bob.next('call.active');
}

describe('the server gate: end-to-end encrypted calls', () => {
  it('refuses recording and transcription with a clear error, asks nothing of Janus, and leaves the call up', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, true);

    // Even with a valid capture statement (a client holding the identity key, outside its host).
    for (const [user, type] of [
      [alice!, 'recording.start'],
      [bob!, 'transcription.start'],
    ] as const) {
      const refused = user.client.request(user.captureStart(type, CALL));
      await expect(refused).rejects.toMatchObject({ code: 'end-to-end-encrypted' });
      await expect(refused).rejects.toThrow(/is unavailable: this call is end-to-end encrypted, so nobody but its two parties can hear it — not this server\./);
    }
    expect(harness.rooms[0]!.recordingCalls).toEqual([]);
    expect(harness.pipeline.problem).not.toHaveBeenCalled();
    expect(alice!.received('call.capture')).toEqual([]);
    expect(log.info).toHaveBeenCalledWith('capture refused: end-to-end encrypted call', { callId: CALL, kind: 'recording' });

    alice!.client.send({ type: 'call.hangup', callId: CALL });
    expect(await bob!.next('call.ended')).toMatchObject({ reason: 'hangup', by: 'alice' });
    expect(harness.pipeline.process).not.toHaveBeenCalled();
  });
});

describe('the server gate: the capture statement', () => {
  it('refuses a start whose statement is missing, forged, or for another signer, call or kind, and starts nothing', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);

    alice!.client.send({ type: 'recording.start', callId: CALL } as never);
    expect(await alice!.next('error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/^statement: /) });
    const refusals = [
      { why: 'signed by the other party', message: { ...bob!.captureStart('recording.start', CALL) } },
      { why: 'signed for transcription', message: { ...alice!.captureStart('transcription.start', CALL), type: 'recording.start' as const } },
      { why: 'signed for another call', message: { ...alice!.captureStart('recording.start', 'call000000000000000009'), callId: CALL } },
      { why: 'not a signature at all', message: { type: 'transcription.start' as const, callId: CALL, statement: 'A'.repeat(86) } },
    ];
    for (const { why, message } of refusals) {
      const refused = alice!.client.request(message);
      await expect(refused, why).rejects.toMatchObject({ code: 'not-allowed' });
      await expect(refused, why).rejects.toThrow(/needs your app’s signed consent for this call/);
    }
    expect(harness.rooms[0]!.recordingCalls).toEqual([]);
    expect(harness.pipeline.problem).not.toHaveBeenCalled();
    expect(alice!.received('call.capture')).toEqual([]);

    // The statement alice's host signs is accepted.
    await alice!.client.request(alice!.captureStart('recording.start', CALL));
    expect(await bob!.next('call.capture')).toMatchObject({ recording: true, by: 'alice' });
  });
});

describe('recording and transcription of a standard call', () => {
  it('records both parties while either capture is on, tells both of every change, and delivers the result to both', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    const room = harness.rooms[0]!;

    await alice!.client.request(alice!.captureStart('recording.start', CALL));
    for (const user of [alice!, bob!])
      expect(await user.next('call.capture')).toMatchObject({ callId: CALL, recording: true, transcribing: false, by: 'alice' });
    expect(room.recordingCalls).toEqual([
      expect.stringMatching(/^start caller rec-[A-Za-z0-9_-]{22}-caller$/),
      expect.stringMatching(/^start callee rec-[A-Za-z0-9_-]{22}-callee$/),
    ]);

    await bob!.client.request(bob!.captureStart('transcription.start', CALL));
    for (const user of [alice!, bob!]) expect(await user.next('call.capture')).toMatchObject({ recording: true, transcribing: true, by: 'bob' });
    await alice!.client.request(alice!.captureStart('recording.start', CALL));
    await alice!.client.request({ type: 'recording.stop', callId: CALL });
    for (const user of [alice!, bob!]) expect(await user.next('call.capture')).toMatchObject({ recording: false, transcribing: true, by: 'alice' });
    expect(room.recordingCalls).toHaveLength(2);

    await bob!.client.request({ type: 'transcription.stop', callId: CALL });
    for (const user of [alice!, bob!]) {
      expect(await user.next('call.capture')).toMatchObject({ recording: false, transcribing: false, by: 'bob' });
      expect(await user.next('transcript.segment')).toMatchObject({ callId: CALL, ...segment });
      expect(await user.next('recording.ready')).toMatchObject({
        callId: CALL,
        recording: { participants: { caller: 'alice', callee: 'bob' }, status: 'ready' },
      });
    }
    expect(room.recordingCalls.slice(2)).toEqual(['stop caller', 'stop callee']);
    const take = harness.pipeline.process.mock.calls[0]![0] as FinishedTake;
    expect(take.recordingSpans).toHaveLength(1);
    expect(take.transcriptionSpans).toHaveLength(1);
    expect(take.transcriptionSpans[0]!.startMs).toBeGreaterThanOrEqual(take.recordingSpans[0]!.startMs);
    expect(room.destroyed).toBe(false);
  });

  it('closes the take before the room goes when the call ends mid-recording', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    await bob!.client.request(bob!.captureStart('recording.start', CALL));
    bob!.client.send({ type: 'call.hangup', callId: CALL });
    expect(await alice!.next('recording.ready')).toMatchObject({ callId: CALL });
    expect(harness.rooms[0]!.recordingCalls.slice(2)).toEqual(['stop caller', 'stop callee', 'destroy']);
  });

  it('tells both parties when Janus will not record, and the call goes on', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    harness.rooms[0]!.failRecording = true;

    await expect(alice!.client.request(alice!.captureStart('recording.start', CALL))).rejects.toMatchObject({
      code: 'media-failed',
      message: 'Recording could not start: the media server did not record the call.',
    });
    for (const user of [alice!, bob!]) {
      expect(await user.next('capture.failed')).toMatchObject({
        kind: 'recording',
        message: 'Recording could not start: the media server did not record the call.',
      });
    }
    expect(harness.rooms[0]!.recordingCalls).toEqual(expect.arrayContaining(['stop caller']));
    expect(harness.pipeline.discardRaw).toHaveBeenCalled();
    expect(alice!.received('call.ended')).toEqual([]);
    alice!.client.send({ type: 'call.hangup', callId: CALL });
    expect(await bob!.next('call.ended')).toMatchObject({ reason: 'hangup' });
  });

  it('tells both parties why processing failed (engine missing, disk full), and the call goes on', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    harness.pipeline.process.mockRejectedValueOnce(new ToolError('the server’s disk is full', 'disk-full'));
    await alice!.client.request(alice!.captureStart('transcription.start', CALL));
    await alice!.client.request({ type: 'transcription.stop', callId: CALL });
    for (const user of [alice!, bob!]) {
      expect(await user.next('capture.failed')).toMatchObject({ kind: 'transcription', message: 'Transcription failed: the server’s disk is full.' });
    }
    expect(alice!.received('call.ended')).toEqual([]);
  });

  it('refuses up front, with the reason, what the server cannot do now', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    harness.pipeline.problem.mockResolvedValueOnce('pocketsphinx_batch is not installed on the server (Debian package pocketsphinx)');
    await expect(alice!.client.request(alice!.captureStart('transcription.start', CALL))).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Transcription is unavailable: pocketsphinx_batch is not installed on the server (Debian package pocketsphinx).',
    });
    expect(harness.rooms[0]!.recordingCalls).toEqual([]);

    const without = await startHarness({ recording: false });
    const [carol, dave] = await users(without, 'alice', 'bob');
    await establish(carol!, dave!, false);
    await expect(carol!.client.request(carol!.captureStart('recording.start', CALL))).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('refuses people outside the call, and calls that are not connected yet', async () => {
    const harness = await startHarness();
    const [alice, bob, mallory] = await users(harness, 'alice', 'bob', 'mallory');
    await alice!.client.request({ type: 'call.invite', callId: CALL, to: 'bob', video: false, decision: decision('caller', false) });
    await bob!.next('call.incoming');
    await expect(alice!.client.request(alice!.captureStart('recording.start', CALL))).rejects.toMatchObject({ code: 'not-allowed' });
    bob!.client.send({ type: 'call.decline', callId: CALL });
    await alice!.next('call.ended');

    await establish(alice!, bob!, false, 'call000000000000000002');
    const other = 'call000000000000000002';
    for (const message of [
      mallory!.captureStart('recording.start', other),
      mallory!.captureStart('transcription.start', other),
      { type: 'recording.stop' as const, callId: other },
    ]) {
      await expect(mallory!.client.request(message)).rejects.toMatchObject({ code: 'no-such-call' });
    }
    expect(harness.rooms[0]!.recordingCalls).toEqual([]);
  });

  it('tells a party who reconnects mid-call that the call is being recorded', async () => {
    const harness = await startHarness();
    const [alice, bob] = await users(harness, 'alice', 'bob');
    await establish(alice!, bob!, false);
    await alice!.client.request(alice!.captureStart('recording.start', CALL));
    bob!.client.close();
    const again = new TestUser('bob');
    Object.assign(again, { secret: bob!.secret, publicKey: bob!.publicKey });
    expect((await again.connect(harness.url, false)).activeCallId).toBe(CALL);
    expect(await again.next('call.capture')).toMatchObject({ recording: true, by: 'alice' });
  });
});

describe('who can list and fetch recordings', () => {
  it('lists a recording to its two participants only, and gives download links to them only', async () => {
    const harness = await startHarness();
    const [alice, bob, carol] = await users(harness, 'alice', 'bob', 'carol');
    await establish(alice!, bob!, false);
    await alice!.client.request(alice!.captureStart('recording.start', CALL));
    await alice!.client.request({ type: 'recording.stop', callId: CALL });
    const { recording } = await bob!.next('recording.ready');

    for (const user of [alice!, bob!]) {
      const list = await user.client.request({ type: 'recordings.list' });
      expect(list).toMatchObject({ type: 'recordings.list.result', recordings: [{ id: recording.id, files: ['mixed.wav', 'transcript.txt'] }] });
      const link = await user.client.request({ type: 'recording.link', recordingId: recording.id, file: 'mixed.wav' });
      expect(link).toMatchObject({ type: 'recording.link.result', path: expect.stringMatching(`^/api/recordings/${recording.id}/mixed.wav\\?token=`) });
    }
    expect(await carol!.client.request({ type: 'recordings.list' })).toMatchObject({ recordings: [] });
    for (const file of ['mixed.wav', 'transcript.txt'] as const) {
      await expect(carol!.client.request({ type: 'recording.link', recordingId: recording.id, file })).rejects.toMatchObject({ code: 'no-such-recording' });
    }
    await expect(alice!.client.request({ type: 'recording.link', recordingId: recording.id, file: 'caller.wav' })).rejects.toMatchObject({
      code: 'no-such-recording',
    });
  });
});
