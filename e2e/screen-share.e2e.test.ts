// Screen sharing in a video call, end to end: alice shares her screen (Chromium's fake screen,
// 1280×720, where the fake camera is 640×480) and bob's large video shows it, decoded frame after
// frame; Stop sharing — in the app, or in the browser's own control (the capture ends) — puts her
// camera back. A third receiver with no keys, subscribed to alice's media straight from Janus (as
// the server's operator could), decodes the share in a standard call and not one frame of it in an
// end-to-end encrypted call: the share goes through the same frame encryption as the camera.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { AppUser, callAndAnswer, hangUpAndDismiss } from './app/user';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { JanusProbe, testbedJanus } from './support/janus';
import { MediaPage, serveMediaPage, type InboundStats, type MediaPageServer } from './support/media-page';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`Screen sharing e2e tests skipped: ${skipReason}`);

/** Width over height: the fake screen is 16:9, the fake camera 4:3 (the encoder may scale both down). */
const SCREEN_ASPECT = 16 / 9;
const CAMERA_ASPECT = 4 / 3;
const aspectOf = (size: { width: number; height: number }) => (size.height > 0 ? size.width / size.height : 0);

describe('screen sharing in a video call', () => {
  let server: TestServer;
  let probe: JanusProbe;
  let pageServer: MediaPageServer;
  let outsiderBrowser: LaunchedChromium;
  let alice: AppUser;
  let bob: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice'), AppUser.open(server.url, 'bob')]);
    probe = await JanusProbe.connect(testbed);
    pageServer = await serveMediaPage();
    outsiderBrowser = await launchChromium();
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await outsiderBrowser?.close();
    await pageServer?.close();
    await probe?.close();
    await server?.close();
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  const shareButton = (user: AppUser, name: 'Share screen' | 'Stop sharing') => user.page.getByRole('button', { name, exact: true });
  const remoteVideo = (user: AppUser, from: string) => user.page.getByLabel(`Video from ${from}`, { exact: true });

  /** What `user`'s large video element shows now, its size on screen, and the frames decoded so far. */
  async function peerView(user: AppUser, from: string) {
    const video = remoteVideo(user, from);
    const [shown, box, inbound] = await Promise.all([
      video.evaluate((element: HTMLVideoElement) => ({ width: element.videoWidth, height: element.videoHeight })),
      video.boundingBox(),
      user.inboundAudio(),
    ]);
    return { aspect: aspectOf(shown), shown, onScreenWidth: box?.width ?? 0, framesDecoded: inbound.framesDecoded };
  }

  /** Waits until bob's video shows alice's screen, and frames keep being decoded. */
  async function bobSeesTheScreen(): Promise<void> {
    await expect.poll(async () => (await peerView(bob, 'alice')).aspect, { timeout: 20_000 }).toBeCloseTo(SCREEN_ASPECT, 1);
    const before = await peerView(bob, 'alice');
    await expect.poll(async () => (await peerView(bob, 'alice')).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(before.framesDecoded + 20);
    // Shown large: the call view's full width, not a thumbnail.
    expect(before.onScreenWidth).toBeGreaterThan(400);
    console.log(`bob shows alice's screen at ${before.shown.width}×${before.shown.height}, ${Math.round(before.onScreenWidth)} px wide`);
  }

  async function bobSeesTheCamera(): Promise<void> {
    await expect.poll(async () => (await peerView(bob, 'alice')).aspect, { timeout: 20_000 }).toBeCloseTo(CAMERA_ASPECT, 1);
  }

  /** A video call alice → bob with her camera on bob's screen. */
  async function videoCall(e2ee: boolean): Promise<void> {
    await alice.setSetting('End-to-end encryption', e2ee);
    await alice.page.getByRole('checkbox', { name: 'With video' }).setChecked(true);
    await callAndAnswer(alice, bob);
    if (e2ee) expect(await alice.securityCode()).toBe(await bob.securityCode());
    await bobSeesTheCamera();
  }

  /** Subscribes a keyless receiver to alice's media at Janus and returns what it made of it once 100 video packets arrived. */
  async function keylessReceiverGets(e2ee: boolean): Promise<NonNullable<InboundStats['video']>> {
    const rooms = await probe.listRooms();
    expect(rooms).toHaveLength(1);
    const room = rooms[0]!;
    expect(room.require_e2ee ?? false).toBe(e2ee);
    const subscription = await probe.subscribeAsOutsider(String(room.room), 'caller');
    const outsiderPage = await MediaPage.open(outsiderBrowser.context, pageServer.url);
    try {
      const answer = await outsiderPage.subscribe(subscription.offer);
      await subscription.complete(answer, await outsiderPage.takeCandidates('subscriber'));
      await expect.poll(async () => (await outsiderPage.inboundStats()).video?.packetsReceived ?? 0, { timeout: 15_000 }).toBeGreaterThan(100);
      // Time to decode what arrived: a keyframe comes first with each new subscriber and size.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const video = (await outsiderPage.inboundStats()).video!;
      console.log(
        `${e2ee ? 'E2EE' : 'standard'} call, keyless receiver at Janus: ${video.framesDecoded} frames decoded of ${video.packetsReceived} packets, last ${video.frameWidth}×${video.frameHeight}`,
      );
      return video;
    } finally {
      await subscription.leave();
      await outsiderPage.close();
    }
  }

  it('shows the shared screen large at the peer, decoded; Stop sharing puts the camera back; a keyless receiver decodes it in a standard call', async () => {
    await videoCall(false);
    await shareButton(alice, 'Share screen').click();
    await expect.poll(() => shareButton(alice, 'Stop sharing').getAttribute('aria-pressed')).toBe('true');
    await bobSeesTheScreen();

    // The measurement works: without end-to-end encryption, Janus's bytes are the screen itself.
    const outsider = await keylessReceiverGets(false);
    expect(outsider.framesDecoded).toBeGreaterThan(10);
    expect(aspectOf({ width: outsider.frameWidth, height: outsider.frameHeight })).toBeCloseTo(SCREEN_ASPECT, 1);

    await shareButton(alice, 'Stop sharing').click();
    await shareButton(alice, 'Share screen').waitFor();
    await bobSeesTheCamera();
    await hangUpAndDismiss(alice, bob);
  });

  it("decodes at the peer and not one frame of it at a keyless receiver in an end-to-end encrypted call; the browser's own Stop sharing ends it", async () => {
    await videoCall(true);
    await shareButton(alice, 'Share screen').click();
    await shareButton(alice, 'Stop sharing').waitFor();
    await bobSeesTheScreen();

    const outsider = await keylessReceiverGets(true);
    expect(outsider.packetsReceived).toBeGreaterThan(100);
    expect(outsider.framesDecoded).toBe(0);
    // And the peer, with the keys, decodes on.
    const before = await peerView(bob, 'alice');
    await expect.poll(async () => (await peerView(bob, 'alice')).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(before.framesDecoded + 20);

    // The capture ends from outside the app, as when the user presses the browser's "Stop sharing":
    // the app follows — its button and bob's screen.
    await alice.page.evaluate(() => {
      for (const pc of window.__testPeerConnections ?? []) {
        for (const sender of pc.getSenders()) {
          const track = sender.track;
          if (track?.kind === 'video' && track.getSettings().displaySurface !== undefined) track.dispatchEvent(new Event('ended'));
        }
      }
    });
    await shareButton(alice, 'Share screen').waitFor();
    await bobSeesTheCamera();
    await hangUpAndDismiss(alice, bob);
  });
});
