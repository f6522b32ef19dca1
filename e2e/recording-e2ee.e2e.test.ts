// The gate, end to end: in an end-to-end encrypted call, recording and transcription are refused
// by the UI (disabled, with the reason, on both sides), by the host's policy when the UI is
// bypassed, and by the server when a participant asks it directly — and nothing is recorded.
// Run: npm run build && npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/recording-e2ee.e2e.test.ts
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaptureUi, rawClientAs } from './app/capture';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';
import { E2EE_CAPTURE_REASON } from '../src/shared/recordingPolicy';
import type { SignalingError } from '../src/shared/signalingClient';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`recording gate e2e tests skipped: ${skipReason}`);

describe('recording and transcription in an end-to-end encrypted call', () => {
  let server: TestServer;
  let alice: AppUser;
  let bob: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice'), AppUser.open(server.url, 'bob')]);
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await server?.close();
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('is refused by the UI, by the host and by the server, and nothing is recorded', async () => {
    if ('skipReason' in testbed) return;
    const janusFilesBefore = await readdir(testbed.recordingsDir);
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await bob.accept();
    // Both have E2EE on (the default): the call is end-to-end encrypted once the codes show.
    expect(await alice.securityCode()).toBe(await bob.securityCode());
    await Promise.all([alice.callTimer.waitFor({ timeout: 20_000 }), bob.callTimer.waitFor({ timeout: 20_000 })]);

    // 1. The UI: both sides show the controls disabled, with the reason.
    for (const user of [alice, bob]) {
      const ui = new CaptureUi(user);
      for (const name of ['Record', 'Transcribe'] as const) expect(await ui.button(name).isDisabled()).toBe(true);
      expect(await ui.section.getByText(E2EE_CAPTURE_REASON, { exact: true }).isVisible()).toBe(true);
      console.info(`${user.handle} sees Record and Transcribe disabled: “${E2EE_CAPTURE_REASON}”`);
    }

    // 2. The host: a click that skips the disabled attribute reaches the host's policy, which refuses.
    const aliceUi = new CaptureUi(alice);
    await aliceUi.clickBypassingTheUi('Record');
    await expect.poll(() => aliceUi.problem.textContent()).toBe(`Recording refused by this device — ${E2EE_CAPTURE_REASON}.`);
    await aliceUi.clickBypassingTheUi('Transcribe');
    await expect.poll(() => aliceUi.problem.textContent()).toBe(`Transcription refused by this device — ${E2EE_CAPTURE_REASON}.`);
    console.info(`alice's host refused: “${await aliceUi.problem.textContent()}”`);
    // The refused requests never reached the server.
    expect(server.logs()).not.toContain('capture refused');

    // 3. The server: bob's identity, from outside his browser, asks for both directly, with capture
    // statements signed by his key (which his host would not have signed).
    const { client, activeCallId, captureStatement } = await rawClientAs(bob, server.url);
    try {
      expect(activeCallId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const [type, kind] of [
        ['recording.start', 'recording'],
        ['transcription.start', 'transcription'],
      ] as const) {
        const refusal = (await client.request({ type, callId: activeCallId!, statement: captureStatement(activeCallId!, kind) }).then(
          () => null,
          (error: unknown) => error,
        )) as SignalingError | null;
        expect(refusal).toMatchObject({ code: 'end-to-end-encrypted' });
        expect(refusal?.message).toMatch(/^(Recording|Transcription) is unavailable: this call is end-to-end encrypted/);
        console.info(`server refused ${type}: ${refusal?.code}: “${refusal?.message}”`);
      }
      expect(await client.request({ type: 'recordings.list' })).toMatchObject({ recordings: [] });
    } finally {
      client.close();
    }
    expect(server.logs()).toContain('capture refused: end-to-end encrypted call');

    // The refusals did not touch the call, and nothing was recorded, by Janus or by the server.
    expect(await alice.callTimer.isVisible()).toBe(true);
    await alice.hangUp();
    expect(await alice.endReason()).toBe('You hung up.');
    const newJanusFiles = (await readdir(testbed.recordingsDir)).filter((name) => !janusFilesBefore.includes(name));
    const serverRecordings = await readdir(join(server.dataDir, 'recordings'));
    console.info(`new files in Janus's recordings folder: ${newJanusFiles.length}; recordings on the server: ${serverRecordings.length}`);
    expect(newJanusFiles).toEqual([]);
    expect(serverRecordings).toEqual([]);
  });
});
