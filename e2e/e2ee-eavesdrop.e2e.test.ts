// Only the endpoints can read an end-to-end encrypted call's media — measured from outside the
// clients. The caller's microphone is a known 1 kHz tone, one second on and one off. A third
// receiver with no keys, subscribed to the caller's media straight from Janus (as the server's
// operator could), listens for the tone: in a standard call it hears it, in an E2EE call it
// recovers none of it — while the real callee hears the tone in both. It also decodes the caller's
// video in a standard call and not one frame of it in an E2EE call, and looks at what Janus relays
// around the encrypted payload: in an E2EE call no audio-level header extension, and audio frames
// of one size whether the tone is on or off.
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
const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

const describeSizes = (sizes: number[]) =>
  sizes.length === 0 ? 'none' : `${sizes.length} frames, ${Math.min(...sizes)}–${Math.max(...sizes)} bytes, ${new Set(sizes).size} distinct sizes`;

/** The SDP of `user`'s publishing peer connection and the header extensions its audio sender uses. */
function publishedAudio(user: AppUser): Promise<{ sdp: string; extensions: string[] }> {
  return user.page.evaluate(() => {
    for (const pc of window.__testPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      const sender = pc
        .getTransceivers()
        .find((transceiver) => transceiver.currentDirection === 'sendonly' && transceiver.sender.track?.kind === 'audio')?.sender;
      if (sender) return { sdp: pc.localDescription?.sdp ?? '', extensions: sender.getParameters().headerExtensions.map((extension) => extension.uri) };
    }
    throw new Error('the page publishes no audio');
  });
}

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
    // One second of tone, one of silence (looped): with a variable bitrate the frame sizes follow it.
    await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', '1', 'sine', String(TONE_HZ), 'gain', '-6', 'pad', '0', '1']);
    server = await startTestServer({ janus: testbed });
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice', { fakeAudioCapture: tone }), AppUser.open(server.url, 'bob')]);
    // A tone is what noise suppression removes first: send it as it is.
    await alice.setAudioProcessing(false);
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

  interface Eavesdrop {
    callee: ToneReading;
    outsider: ToneReading;
    /** Sizes in bytes of the caller's audio frames as Janus relays them. */
    audioFrameSizes: number[];
    /** The caller's video as the keyless receiver and the callee decode it (video calls). */
    outsiderVideo: { packetsReceived: number; framesDecoded: number } | undefined;
    calleeFramesDecoded: number;
    /** The SDP of the caller's publishing connection, and Janus's offer to the keyless receiver. */
    callerSdp: string;
    relayedSdp: string;
    /** RTP header extensions the caller's audio sender uses. */
    callerAudioExtensions: string[];
  }

  /** Runs one call alice → bob and returns what bob and the outsider each got of alice's media. */
  async function listenToCall(e2ee: boolean, video = false): Promise<Eavesdrop> {
    await alice.setSetting('End-to-end encryption', e2ee);
    await alice.page.getByRole('checkbox', { name: 'With video' }).setChecked(video);
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
      const answer = await outsiderPage.subscribe(subscription.offer, { recordAudioFrames: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await subscription.complete(answer, await outsiderPage.takeCandidates('subscriber'));
      // The outsider receives the caller's packets: the question is only what it can make of them.
      await expect.poll(async () => (await outsiderPage.inboundStats()).audio?.packetsReceived ?? 0, { timeout: 15_000 }).toBeGreaterThan(50);
      if (video) {
        await expect.poll(async () => (await outsiderPage.inboundStats()).video?.packetsReceived ?? 0, { timeout: 15_000 }).toBeGreaterThan(100);
      }
      const [callee, outsider] = await Promise.all([measureTone(bob.page, TONE_HZ, LISTEN_MS), measureTone(outsiderPage.page, TONE_HZ, LISTEN_MS)]);
      const outsiderVideo = (await outsiderPage.inboundStats()).video;
      const audioFrameSizes = await outsiderPage.audioFrameSizes();
      const caller = await publishedAudio(alice);
      const calleeFramesDecoded = (await bob.inboundAudio()).framesDecoded;
      console.log(
        [
          `${e2ee ? 'E2EE' : 'standard'} ${video ? 'video ' : ''}call — ${describe_('callee', callee)}; ${describe_('keyless receiver', outsider)}`,
          `  audio frames relayed by Janus: ${describeSizes(audioFrameSizes)}`,
          `  audio-level extension: in the caller's offer ${caller.sdp.includes(AUDIO_LEVEL)}, in Janus's offer to the keyless receiver ${subscription.offer.sdp.includes(AUDIO_LEVEL)}`,
          ...(video
            ? [
                `  video frames decoded: callee ${calleeFramesDecoded}, keyless receiver ${outsiderVideo?.framesDecoded ?? 0} of ${outsiderVideo?.packetsReceived ?? 0} packets`,
              ]
            : []),
        ].join('\n'),
      );
      return {
        callee,
        outsider,
        audioFrameSizes,
        outsiderVideo,
        calleeFramesDecoded,
        callerSdp: caller.sdp,
        relayedSdp: subscription.offer.sdp,
        callerAudioExtensions: caller.extensions,
      };
    } finally {
      await subscription.leave();
      await outsiderPage.close();
      await alice.hangUp();
      await Promise.all([alice.endReason(), bob.endReason()]);
      await Promise.all([alice.dismissEnded(), bob.dismissEnded()]);
    }
  }

  it('hears the tone and sees audio levels and varying frame sizes in a standard call (the measurements work)', async () => {
    const { callee, outsider, audioFrameSizes, relayedSdp, callerAudioExtensions } = await listenToCall(false);
    for (const reading of [callee, outsider]) {
      expect(reading.toneShare).toBeGreaterThan(0.5);
      expect(reading.toneToNeighbours).toBeGreaterThan(100);
    }
    expect(callerAudioExtensions).toContain(AUDIO_LEVEL);
    expect(relayedSdp).toContain(AUDIO_LEVEL);
    // Tone and silence make frames of very different sizes.
    expect(Math.max(...audioFrameSizes) - Math.min(...audioFrameSizes)).toBeGreaterThan(20);
  });

  it('recovers none of the tone from an end-to-end encrypted call, and Janus sees no audio level and one frame size', async () => {
    const { callee, outsider, audioFrameSizes, callerSdp, relayedSdp, callerAudioExtensions } = await listenToCall(true);
    expect(callee.toneShare).toBeGreaterThan(0.5);
    expect(callee.toneToNeighbours).toBeGreaterThan(100);
    // The keyless receiver decodes the encrypted frames into noise (it does receive power), with
    // no more at the tone's frequency than beside it.
    expect(outsider.power).toBeGreaterThan(0);
    expect(outsider.toneShare).toBeLessThan(0.1);
    expect(outsider.toneToNeighbours).toBeLessThan(5);
    // No audio level in any packet: the caller neither offers nor sends the extension.
    expect(callerSdp).not.toContain(AUDIO_LEVEL);
    expect(callerAudioExtensions).not.toContain(AUDIO_LEVEL);
    expect(relayedSdp).not.toContain(AUDIO_LEVEL);
    // Every encrypted audio frame has the same size, tone or silence: at most the SFrame header's
    // counter grows by a byte.
    expect(audioFrameSizes.length).toBeGreaterThan(100);
    expect(Math.max(...audioFrameSizes) - Math.min(...audioFrameSizes)).toBeLessThanOrEqual(1);
  });

  it("decodes the caller's video in a standard video call (the measurement works)", async () => {
    const { outsiderVideo, calleeFramesDecoded } = await listenToCall(false, true);
    expect(calleeFramesDecoded).toBeGreaterThan(0);
    expect(outsiderVideo?.framesDecoded ?? 0).toBeGreaterThan(10);
  });

  it('decodes not one video frame of an end-to-end encrypted video call', async () => {
    const { outsiderVideo, calleeFramesDecoded } = await listenToCall(true, true);
    expect(calleeFramesDecoded).toBeGreaterThan(0);
    expect(outsiderVideo?.packetsReceived ?? 0).toBeGreaterThan(100);
    expect(outsiderVideo?.framesDecoded).toBe(0);
  });
});
