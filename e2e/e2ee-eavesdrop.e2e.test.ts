// Only the endpoints can read an end-to-end encrypted call's media — measured from outside the
// clients. The caller's microphone is a known 1 kHz tone. A third receiver with no keys, subscribed
// to the caller's media straight from Janus (as the server's operator could), listens for the tone:
// in a standard call it hears it, in an E2EE call it recovers none of it — while the real callee
// hears the tone in both.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { measureTone, recordPeerConnections, type ToneReading } from './app/audioProbe';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { JanusProbe, testbedJanus } from './support/janus';
import { MediaPage, serveMediaPage, type MediaPageServer } from './support/media-page';

const run = promisify(execFile);
const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`E2EE eavesdropping e2e tests skipped: ${skipReason}`);

const TONE_HZ = 1000;

const describe_ = (who: string, reading: ToneReading) =>
  `${who}: tone share ${reading.toneShare.toFixed(3)}, tone/neighbours ${reading.toneToNeighbours.toFixed(1)}, power ${reading.power.toExponential(2)}`;
const LISTEN_MS = 3000;

describe('what a keyless receiver at the media server recovers', () => {
  let workDir: string;
  let server: TestServer;
  let probe: JanusProbe;
  let pageServer: MediaPageServer;
  let outsiderBrowser: LaunchedChromium;
  let alice: AppUser;
  let bob: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    workDir = await mkdtemp(join(tmpdir(), 'softphone-eavesdrop-'));
    const tone = join(workDir, 'tone.wav');
    await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', '5', 'sine', String(TONE_HZ), 'gain', '-6']);
    server = await startTestServer({ janus: testbed });
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice', { fakeAudioCapture: tone }), AppUser.open(server.url, 'bob')]);
    // A tone is what noise suppression removes first: send it as it is.
    await alice.setSetting('Echo cancellation and noise suppression', false);
    probe = await JanusProbe.connect(testbed);
    pageServer = await serveMediaPage();
    outsiderBrowser = await launchChromium();
    await recordPeerConnections(outsiderBrowser.context);
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await outsiderBrowser?.close();
    await pageServer?.close();
    await probe?.close();
    await server?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  /** Runs one call alice → bob and returns what bob and the outsider each heard of alice's tone. */
  async function listenToCall(e2ee: boolean): Promise<{ callee: ToneReading; outsider: ToneReading }> {
    await alice.setSetting('End-to-end encryption', e2ee);
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await bob.accept();
    await Promise.all([alice.callTimer.waitFor({ timeout: 20_000 }), bob.callTimer.waitFor({ timeout: 20_000 })]);
    await bob.hearsAudio();

    const rooms = await probe.listRooms();
    expect(rooms).toHaveLength(1);
    const room = rooms[0]!;
    expect(room.require_e2ee ?? false).toBe(e2ee);
    const subscription = await probe.subscribeAsOutsider(String(room.room), 'caller');
    const outsiderPage = await MediaPage.open(outsiderBrowser.context, pageServer.url);
    try {
      const answer = await outsiderPage.subscribe(subscription.offer);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await subscription.complete(answer, await outsiderPage.takeCandidates('subscriber'));
      // The outsider receives the caller's packets: the question is only what it can make of them.
      await expect
        .poll(async () => (await outsiderPage.inboundStats()).audio?.packetsReceived ?? 0, { timeout: 15_000 })
        .toBeGreaterThan(50);
      const [callee, outsider] = await Promise.all([measureTone(bob.page, TONE_HZ, LISTEN_MS), measureTone(outsiderPage.page, TONE_HZ, LISTEN_MS)]);
      console.log(
        `${e2ee ? 'E2EE' : 'standard'} call — ${describe_('callee', callee)}; ${describe_('keyless receiver', outsider)}`,
      );
      return { callee, outsider };
    } finally {
      await subscription.leave();
      await outsiderPage.close();
      await alice.hangUp();
      await Promise.all([alice.endReason(), bob.endReason()]);
      await Promise.all([alice.dismissEnded(), bob.dismissEnded()]);
    }
  }

  it('hears the tone in a standard call (the measurement works)', async () => {
    const { callee, outsider } = await listenToCall(false);
    for (const reading of [callee, outsider]) {
      expect(reading.toneShare).toBeGreaterThan(0.5);
      expect(reading.toneToNeighbours).toBeGreaterThan(100);
    }
  });

  it('recovers none of the tone from an end-to-end encrypted call', async () => {
    const { callee, outsider } = await listenToCall(true);
    expect(callee.toneShare).toBeGreaterThan(0.5);
    expect(callee.toneToNeighbours).toBeGreaterThan(100);
    // The keyless receiver decodes the encrypted frames into noise (it does receive power), with
    // no more at the tone's frequency than beside it.
    expect(outsider.power).toBeGreaterThan(0);
    expect(outsider.toneShare).toBeLessThan(0.1);
    expect(outsider.toneToNeighbours).toBeLessThan(5);
  });
});
