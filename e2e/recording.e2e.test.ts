// Recording and transcription of a call that is not end-to-end encrypted, end to end: two Chromium
// users whose microphones play known speech call each other through the real server and the
// testbed's Janus; one records and transcribes through the UI. Both must see it happen, the
// recording must download and hold the speech that was sent, the transcript must reach both and
// hold the spoken words, and nobody outside the call may list or fetch any of it.
// Run: npm run build && npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/recording.e2e.test.ts
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaptureUi, downloadFromRecordings, makeTestSpeech, rawNewAccount, speechMatch, wordErrorRate, type TranscriptFile } from './app/capture';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`recording e2e tests skipped: ${skipReason}`);

const WORDS = {
  alice: 'one two three four five six seven eight nine',
  bob: 'nine eight seven six five four three two one',
};
/** How long the call is recorded: three loops of each speaker's phrase and more. */
const RECORD_MS = 14_000;
/** A segment this close to the start or end of the recording may hold only part of a phrase. */
const EDGE_MS = 300;
const MAX_WER = 0.35;
/** Processing (janus-pp-rec, ffmpeg, two pocketsphinx runs) takes seconds; a busy two-core machine can take far longer. */
const PROCESSING_TIMEOUT_MS = 120_000;

describe('recording and transcription of a standard call', () => {
  let server: TestServer;
  let workDir: string;
  let alice: AppUser;
  let bob: AppUser;
  let carol: AppUser;
  let speech: { alice: string; bob: string };
  let recordingId: string;
  let aliceAudioLink: string;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    workDir = await mkdtemp(join(tmpdir(), 'softphone-recording-e2e-'));
    speech = { alice: join(workDir, 'alice.wav'), bob: join(workDir, 'bob.wav') };
    await Promise.all([makeTestSpeech(WORDS.alice, speech.alice), makeTestSpeech(WORDS.bob, speech.bob)]);
    server = await startTestServer({ janus: testbed });
    [alice, bob, carol] = await Promise.all([
      AppUser.open(server.url, 'alice', { fakeAudioCapture: speech.alice }),
      AppUser.open(server.url, 'bob', { fakeAudioCapture: speech.bob }),
      AppUser.open(server.url, 'carol'),
    ]);
  });

  afterAll(async () => {
    await Promise.all([alice, bob, carol].filter(Boolean).map((user) => user.close()));
    await server?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('records and transcribes through the UI: both see it, the audio holds the speech, the transcript reaches both', async () => {
    // Through the UI, as a user would: E2EE off (for alice; the call is then standard for both) and
    // no echo cancellation or noise suppression, so the test speech reaches Janus as it was sent.
    await alice.setSetting('End-to-end encryption', false);
    for (const user of [alice, bob]) await user.setAudioProcessing(false);
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await bob.accept();
    await Promise.all([alice.callTimer.waitFor({ timeout: 20_000 }), bob.callTimer.waitFor({ timeout: 20_000 })]);
    await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);

    const aliceUi = new CaptureUi(alice);
    const bobUi = new CaptureUi(bob);
    for (const ui of [aliceUi, bobUi]) {
      await expect.poll(() => ui.button('Record').isEnabled()).toBe(true);
      await expect.poll(() => ui.button('Transcribe').isEnabled()).toBe(true);
    }

    await aliceUi.button('Record').click();
    await expect.poll(() => aliceUi.indicator.textContent()).toContain('Recording');
    await expect.poll(() => bobUi.indicator.textContent()).toContain('Recording');
    expect(await aliceUi.notice.textContent()).toBe('You started recording this call.');
    expect(await bobUi.notice.textContent()).toBe('alice started recording this call.');
    await aliceUi.button('Transcribe').click();
    await expect.poll(() => bobUi.indicator.textContent()).toBe('● Recording · Transcribing');
    expect(await bobUi.notice.textContent()).toBe('alice started transcribing this call.');

    await new Promise((resolve) => setTimeout(resolve, RECORD_MS));
    // Either party may stop it: bob stops the transcription, alice the recording.
    await bobUi.button('Stop transcription').click();
    await expect.poll(() => aliceUi.notice.textContent()).toBe('bob stopped transcribing.');
    await aliceUi.button('Stop recording').click();
    for (const ui of [aliceUi, bobUi]) await expect.poll(() => ui.indicator.count()).toBe(0);

    // The transcript reaches both parties while the call goes on.
    for (const ui of [aliceUi, bobUi]) {
      await expect.poll(() => ui.notice.textContent(), { timeout: PROCESSING_TIMEOUT_MS }).toBe('The recording is ready: open Recordings to download it.');
    }
    const aliceSees = await aliceUi.transcript();
    const bobSees = await bobUi.transcript();
    expect(bobSees).toEqual(aliceSees);
    expect(new Set(aliceSees.map((segment) => segment.speaker))).toEqual(new Set(['alice', 'bob']));
    expect(await alice.callTimer.isVisible()).toBe(true);

    // The recording, from the Recordings view of each participant.
    await alice.page.getByRole('button', { name: 'Recordings', exact: true }).click();
    const aliceItem = alice.page.getByRole('listitem', { name: /^Recording of the call with bob/ });
    await aliceItem.waitFor();
    const mixed = await downloadFromRecordings(alice, aliceItem, 'Download audio (both speakers)');
    const aliceTrack = await downloadFromRecordings(alice, aliceItem, 'Download alice’s audio');
    const bobTrack = await downloadFromRecordings(alice, aliceItem, 'Download bob’s audio');
    const transcriptFile = JSON.parse((await downloadFromRecordings(alice, aliceItem, 'Download transcript (JSON)')).bytes.toString('utf8')) as TranscriptFile;
    recordingId = transcriptFile.recordingId;
    aliceAudioLink = aliceTrack.url;
    await bob.page.getByRole('button', { name: 'Recordings', exact: true }).click();
    const bobItem = bob.page.getByRole('listitem', { name: /^Recording of the call with alice/ });
    const bobText = (await downloadFromRecordings(bob, bobItem, 'Download transcript (text)')).bytes.toString('utf8');
    expect(bobText).toContain('Transcript of a call between alice (caller) and bob (callee)');

    // The audio holds the speech that was sent: each track follows its speaker's phrase closely.
    const sent = { alice: await readFile(speech.alice), bob: await readFile(speech.bob) };
    const match = {
      aliceTrack: speechMatch(sent.alice, aliceTrack.bytes),
      bobTrack: speechMatch(sent.bob, bobTrack.bytes),
      mixedAlice: speechMatch(sent.alice, mixed.bytes),
      mixedBob: speechMatch(sent.bob, mixed.bytes),
    };
    console.info(
      `recorded audio against the speech sent (loudness outline correlation, 1 = same): ${JSON.stringify(match, (_, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(3)) : value))}`,
    );
    expect(match.aliceTrack).toBeGreaterThan(0.8);
    expect(match.bobTrack).toBeGreaterThan(0.8);
    // The mix holds both: it follows each phrase, less closely, as the other voice is in it too.
    expect(match.mixedAlice).toBeGreaterThan(0.5);
    expect(match.mixedBob).toBeGreaterThan(0.5);
    expect(transcriptFile.durationMs).toBeGreaterThan(RECORD_MS - 1000);

    // The transcript holds the spoken words. Utterances cut by the start or end of the recording
    // hold only part of a phrase and are left out of the word error rate.
    expect(transcriptFile.segments.map(({ speaker, text }) => ({ speaker, text }))).toEqual(aliceSees);
    let errors = 0;
    let words = 0;
    for (const speaker of ['alice', 'bob'] as const) {
      const whole = transcriptFile.segments.filter(
        (segment) => segment.speaker === speaker && segment.startMs > EDGE_MS && segment.endMs < transcriptFile.durationMs - EDGE_MS,
      );
      expect(whole.length).toBeGreaterThanOrEqual(2);
      const reference = whole.flatMap(() => WORDS[speaker].split(' '));
      const hypothesis = whole.flatMap((segment) => segment.text.split(' ').filter(Boolean));
      const wer = wordErrorRate(reference, hypothesis);
      errors += wer * reference.length;
      words += reference.length;
      console.info(
        `transcript of ${speaker}: ${whole.length} whole utterances, WER ${wer.toFixed(3)}: ${whole.map((segment) => `“${segment.text}”`).join(' ')}`,
      );
      expect(wer).toBeLessThanOrEqual(MAX_WER);
    }
    console.info(`transcript word error rate over both speakers: ${(errors / words).toFixed(3)} (${words} reference words; limit ${MAX_WER})`);

    await alice.hangUp();
    expect(await bob.endReason()).toBe('alice hung up.');
  }, 240_000);

  it('lets nobody outside the call list or fetch its recording or transcript', async () => {
    // carol, through the UI: her Recordings view is empty.
    await carol.page.getByRole('button', { name: 'Recordings', exact: true }).click();
    await carol.page.getByText('No recordings yet.').waitFor();

    // carol, straight over the WebSocket: nothing listed, no link to any file of it.
    const mallory = await rawNewAccount('mallory', server.url);
    try {
      expect(await mallory.request({ type: 'recordings.list' })).toMatchObject({ type: 'recordings.list.result', recordings: [] });
      for (const file of ['mixed.wav', 'caller.wav', 'transcript.txt', 'transcript.json'] as const) {
        await expect(mallory.request({ type: 'recording.link', recordingId, file })).rejects.toMatchObject({ code: 'no-such-recording' });
      }
    } finally {
      mallory.close();
    }

    // Straight over HTTP: no token, a made-up token, or alice's token used for another file.
    const audioPath = new URL(aliceAudioLink);
    const token = audioPath.searchParams.get('token');
    const statuses: Record<string, number> = {};
    for (const [what, path] of Object.entries({
      'no token': `/api/recordings/${recordingId}/transcript.json`,
      'made-up token': `/api/recordings/${recordingId}/mixed.wav?token=${'A'.repeat(43)}`,
      'alice’s token, transcript': `/api/recordings/${recordingId}/transcript.txt?token=${token}`,
      'alice’s token, mixed audio': `/api/recordings/${recordingId}/mixed.wav?token=${token}`,
    })) {
      statuses[what] = (await fetch(new URL(path, server.url))).status;
    }
    console.info(`fetches without the right link: ${JSON.stringify(statuses)}`);
    expect(Object.values(statuses).every((status) => status === 403)).toBe(true);
  });
});
