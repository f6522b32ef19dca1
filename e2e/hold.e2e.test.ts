// Hold sends nothing: while a video call is on hold, neither the side that pressed Hold nor the
// held side sends microphone or camera bytes to the media server, and both send again after
// Resume. Measured from each page's WebRTC stats (outbound-rtp bytesSent of the publishing peer
// connection), with the rates printed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { AppUser, callAndAnswer, hangUpAndDismiss } from './app/user';
import { testbedJanus } from './support/janus';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`hold e2e tests skipped: ${skipReason}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SentBytes {
  audio: number;
  video: number;
}

/** Media bytes (RTP payload) the page has sent so far, by kind, over its open peer connections. */
function bytesSent(user: AppUser): Promise<SentBytes> {
  return user.page.evaluate(async () => {
    const totals = { audio: 0, video: 0 };
    for (const pc of window.__testPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report.type !== 'outbound-rtp') return;
        if (report.kind === 'audio' || report.kind === 'video') totals[report.kind] += Number(report.bytesSent ?? 0);
      });
    }
    return totals;
  });
}

/** Bytes per second each of the two users sends, by kind, over `ms`. */
async function sendRates(users: [AppUser, AppUser], ms: number): Promise<[SentBytes, SentBytes]> {
  const before = await Promise.all(users.map(bytesSent));
  await sleep(ms);
  const after = await Promise.all(users.map(bytesSent));
  const rate = (i: 0 | 1): SentBytes => ({
    audio: ((after[i]!.audio - before[i]!.audio) * 1000) / ms,
    video: ((after[i]!.video - before[i]!.video) * 1000) / ms,
  });
  return [rate(0), rate(1)];
}

const show = (rate: SentBytes) => `audio ${rate.audio.toFixed(0)} B/s, video ${rate.video.toFixed(0)} B/s`;

describe('hold', () => {
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

  afterEach(async () => {
    if (skipReason) return;
    for (const user of [alice, bob]) {
      const hangUp = user.page.getByRole('button', { name: 'Hang up' });
      if (await hangUp.isVisible()) await hangUp.click();
    }
  });

  it('sends no microphone or camera bytes from either side while on hold, and sends again after Resume', async () => {
    await alice.page.getByRole('checkbox', { name: 'With video' }).check();
    await callAndAnswer(alice, bob);
    await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);
    const WINDOW_MS = 2000;

    const [aliceBefore, bobBefore] = await sendRates([alice, bob], WINDOW_MS);

    await alice.page.getByRole('button', { name: 'Hold', exact: true, pressed: false }).click();
    await bob.page.getByRole('status', { name: 'Hold' }).filter({ hasText: 'alice put the call on hold.' }).waitFor();
    // Within a second of Hold nothing more goes out, on either side.
    await sleep(1000);
    const [aliceHeld, bobHeld] = await sendRates([alice, bob], WINDOW_MS);

    await alice.page.getByRole('button', { name: 'Resume', exact: true, pressed: true }).click();
    await bob.page.getByRole('status', { name: 'Hold' }).waitFor({ state: 'detached' });
    await sleep(1000);
    const [aliceAfter, bobAfter] = await sendRates([alice, bob], WINDOW_MS);

    console.log(
      [
        `bytes sent per second — alice (pressed Hold): before ${show(aliceBefore)}; on hold ${show(aliceHeld)}; after Resume ${show(aliceAfter)}`,
        `bytes sent per second — bob (held): before ${show(bobBefore)}; on hold ${show(bobHeld)}; after Resume ${show(bobAfter)}`,
      ].join('\n'),
    );
    for (const before of [aliceBefore, bobBefore]) {
      expect(before.audio).toBeGreaterThan(1000);
      expect(before.video).toBeGreaterThan(1000);
    }
    for (const held of [aliceHeld, bobHeld]) expect(held).toEqual({ audio: 0, video: 0 });
    for (const after of [aliceAfter, bobAfter]) {
      expect(after.audio).toBeGreaterThan(1000);
      expect(after.video).toBeGreaterThan(1000);
    }
    // And the media really plays again at each end.
    await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);
    const framesBefore = await Promise.all([alice.inboundAudio(), bob.inboundAudio()]);
    await sleep(1000);
    const framesAfter = await Promise.all([alice.inboundAudio(), bob.inboundAudio()]);
    for (const [i, after] of framesAfter.entries()) expect(after.framesDecoded).toBeGreaterThan(framesBefore[i]!.framesDecoded);
    await hangUpAndDismiss(alice, bob);
  });
});
