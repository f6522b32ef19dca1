// JanusGateway against a real Janus: the testbed's (scripts/testbed.ts), with two Chromium pages
// as the caller and the callee. Run:
//   npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/janus-gateway.e2e.test.ts
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JanusGateway } from '../src/server/janus/gateway';
import type { MediaEvent, MediaLeg, MediaRoom, Party } from '../src/server/janus/gateway';
import { createLogger } from '../src/server/log';
import { launchChromium } from './support/browser';
import type { LaunchedChromium } from './support/browser';
import { JanusProbe, testbedJanus } from './support/janus';
import type { TestbedJanus } from './support/janus';
import { MediaPage, serveMediaPage } from './support/media-page';
import type { InboundStats, MediaPageServer } from './support/media-page';

const run = promisify(execFile);
const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`janus-gateway e2e tests skipped: ${skipReason}`);

const XOR_KEY = 0x5a;

/** Resolves with the first event of `room` that `matches`; listen before acting. */
function nextEvent(room: MediaRoom, matches: (event: MediaEvent) => boolean, timeoutMs = 15_000): Promise<MediaEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching media event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = room.onEvent((event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

const isUp = (party: Party, leg: MediaLeg) => (event: MediaEvent) => event.type === 'webrtcup' && event.party === party && event.leg === leg;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Passes a page's candidates for one leg to the room until the page's end of candidates. */
async function relayCandidates(page: MediaPage, room: MediaRoom, party: Party, leg: MediaLeg): Promise<number> {
  let relayed = 0;
  await waitFor(`the end of ${party}'s ${leg} candidates`, async () => {
    for (const candidate of await page.takeCandidates(leg)) {
      await room.trickle(party, leg, candidate);
      if (candidate === null) return relayed;
      relayed++;
    }
    return undefined;
  });
  return relayed;
}

describe('JanusGateway with the testbed Janus', () => {
  const env = testbed as TestbedJanus;
  const log = createLogger({ level: 'warn', base: { test: 'janus-gateway' } });
  let gateway: JanusGateway;
  let probe: JanusProbe;
  let chromium: LaunchedChromium;
  let server: MediaPageServer;
  let workDir: string;
  const pages: MediaPage[] = [];

  async function openPage(): Promise<MediaPage> {
    const page = await MediaPage.open(chromium.context, server.url);
    pages.push(page);
    return page;
  }

  /** Caller publishes, callee subscribes to the caller; candidates by trickle, some before the publish. */
  async function connectCallerToCallee(room: MediaRoom, options: { video: boolean; xorKey?: number }) {
    const callerPage = await openPage();
    const calleePage = await openPage();
    const offer = await callerPage.publish(options);
    expect(offer.sdp).not.toMatch(/a=candidate/);

    // The caller's publisher handle does not exist yet: these wait in the gateway.
    const early = await waitFor('the first candidate', async () => {
      const taken = await callerPage.takeCandidates('publisher');
      return taken.length > 0 ? taken : undefined;
    });
    for (const candidate of early) await room.trickle('caller', 'publisher', candidate);

    const publisherUp = nextEvent(room, isUp('caller', 'publisher'));
    const answer = await room.publish('caller', offer);
    await callerPage.acceptAnswer(answer);
    const relayed = early.includes(null) ? 0 : await relayCandidates(callerPage, room, 'caller', 'publisher');
    await publisherUp;

    const subscriberUp = nextEvent(room, isUp('callee', 'subscriber'));
    const subscriberOffer = await room.subscribe('callee', 'caller');
    const subscriberAnswer = await calleePage.subscribe(subscriberOffer, options);
    await room.startSubscription('callee', subscriberAnswer);
    await relayCandidates(calleePage, room, 'callee', 'subscriber');
    await subscriberUp;
    return { callerPage, calleePage, answer, subscriberOffer, candidatesBeforePublish: early.length, candidatesAfter: relayed };
  }

  /** Waits until the callee decodes the caller's audio (and video), then checks it keeps flowing. */
  async function expectMediaDecoded(calleePage: MediaPage, video: boolean): Promise<InboundStats> {
    const first = await waitFor(
      'decoded audio with a level' + (video ? ' and decoded video' : ''),
      async () => {
        const stats = await calleePage.inboundStats();
        const audioOk = (stats.audio?.totalSamplesReceived ?? 0) > 48_000 && (stats.audio?.audioLevel ?? 0) > 0.01;
        const videoOk = !video || (stats.video?.framesDecoded ?? 0) > 10;
        return audioOk && videoOk ? stats : undefined;
      },
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const later = await calleePage.inboundStats();
    expect(later.audio?.totalSamplesReceived).toBeGreaterThan(first.audio?.totalSamplesReceived ?? 0);
    if (video) expect(later.video?.framesDecoded).toBeGreaterThan(first.video?.framesDecoded ?? 0);
    return later;
  }

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  beforeAll(async () => {
    if (skipReason) return;
    workDir = await mkdtemp(join(tmpdir(), 'janus-gateway-e2e-'));
    // A steady tone as the microphone, so the received audio level is never silence.
    const tone = join(workDir, 'tone.wav');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=5', '-ac', '1', tone]);
    [gateway, probe, chromium, server] = await Promise.all([
      JanusGateway.connect({ url: env.url, apiSecret: env.apiSecret, adminKey: env.adminKey, recordingsDir: env.recordingsDir, log }),
      JanusProbe.connect(env),
      launchChromium({ fakeAudioCapture: tone }),
      serveMediaPage(),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled(pages.map((page) => page.close()));
    await Promise.allSettled([gateway?.close(), probe?.close(), chromium?.close(), server?.close()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('creates a private room per call, with the E2EE settings when the call is end-to-end encrypted', async () => {
    const e2eeRoom = await gateway.createRoom({ e2ee: true, video: true });
    const standardRoom = await gateway.createRoom({ e2ee: false, video: true });
    try {
      expect(e2eeRoom.id).not.toBe(standardRoom.id);
      expect(e2eeRoom.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect([e2eeRoom.e2ee, standardRoom.e2ee]).toEqual([true, false]);
      expect(await probe.roomExists(e2eeRoom.id)).toBe(true);
      expect(await probe.roomExists(standardRoom.id)).toBe(true);

      const common = { is_private: true, max_publishers: 2, audiocodec: 'opus', videocodec: 'vp8', record: false, num_participants: 0 };
      expect(await probe.describeRoom(e2eeRoom.id)).toMatchObject({ ...common, require_e2ee: true, fir_freq: 0 });
      expect((await probe.describeRoom(e2eeRoom.id))?.rec_dir).toBeUndefined();
      expect(await probe.describeRoom(standardRoom.id)).toMatchObject({ ...common, require_e2ee: false, rec_dir: env.recordingsDir });
    } finally {
      await Promise.all([e2eeRoom.destroy(), standardRoom.destroy()]);
    }
  });

  it('leaves Janus refusing a publisher whose JSEP lacks the e2ee flag in an E2EE room (433)', async () => {
    const room = await gateway.createRoom({ e2ee: true, video: false });
    try {
      const page = await openPage();
      const plainOffer = await page.publish({ video: false });
      await expect(probe.publishWithoutE2ee(room.id, plainOffer)).rejects.toThrow(/^433 /);
      // Janus frees a detached handle's participant on its own thread, a moment after the detach answers.
      await expect.poll(async () => (await probe.describeRoom(room.id))?.num_participants, { timeout: 5_000 }).toBe(0);
    } finally {
      await room.destroy();
    }
  });

  it('relays XOR-encrypted audio and video through an E2EE room, and refuses to record it', async () => {
    const room = await gateway.createRoom({ e2ee: true, video: true });
    const events: MediaEvent[] = [];
    room.onEvent((event) => events.push(event));
    try {
      await expect(room.subscribe('callee', 'caller')).rejects.toThrow(/no media up/);
      const call = await connectCallerToCallee(room, { video: true, xorKey: XOR_KEY });
      expect(call.candidatesBeforePublish).toBeGreaterThan(0);
      // Janus answers from the test host's address only, as an ICE-lite agent.
      const janusHost = new URL(env.url).hostname;
      expect(call.answer.sdp).toContain('a=ice-lite');
      expect(call.answer.sdp).toMatch(new RegExp(`a=candidate:\\S+ 1 udp \\d+ ${janusHost.replaceAll('.', '\\.')} \\d+ typ host`));
      expect(call.answer.sdp).not.toContain('127.0.0.1');

      const stats = await expectMediaDecoded(call.calleePage, true);
      const [encrypted, decrypted] = await Promise.all([call.callerPage.transformedFrames(), call.calleePage.transformedFrames()]);
      expect(encrypted['encrypt-audio']).toBeGreaterThan(0);
      expect(encrypted['encrypt-video']).toBeGreaterThan(0);
      expect(decrypted['decrypt-audio']).toBeGreaterThan(0);
      expect(decrypted['decrypt-video']).toBeGreaterThan(0);
      console.info(
        `E2EE room: callee decoded ${stats.audio?.totalSamplesReceived} audio samples (level ${stats.audio?.audioLevel?.toFixed(3)}), ${stats.video?.framesDecoded} video frames; frames transformed ${JSON.stringify({ ...encrypted, ...decrypted })}`,
      );

      await expect(room.startRecording('caller', 'never')).rejects.toThrow(/end-to-end encrypted/);
      await expect(room.stopRecording('caller')).rejects.toThrow(/end-to-end encrypted/);
      expect((await readdir(env.recordingsDir)).filter((name) => name.startsWith('never'))).toEqual([]);
      expect(events).toContainEqual({ type: 'media', party: 'caller', leg: 'publisher', kind: 'audio', receiving: true });
    } finally {
      await room.destroy();
    }
  });

  it('relays a standard call and records the caller as Opus that janus-pp-rec converts', async () => {
    const room = await gateway.createRoom({ e2ee: false, video: true });
    try {
      const call = await connectCallerToCallee(room, { video: true });
      await expectMediaDecoded(call.calleePage, true);

      const name = `e2e-${Date.now()}`;
      await room.startRecording('caller', name);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await room.stopRecording('caller');
      const recordings = (await readdir(env.recordingsDir)).filter((file) => file.startsWith(name)).sort();
      expect(recordings).toEqual([`${name}-audio-0.mjr`, `${name}-video-1.mjr`]);

      const opus = join(workDir, `${name}.opus`);
      await run('janus-pp-rec', [join(env.recordingsDir, `${name}-audio-0.mjr`), opus]);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', opus]);
      expect(Number(stdout.trim())).toBeGreaterThan(2);
      expect((await stat(opus)).size).toBeGreaterThan(5_000);
      await expect(room.startRecording('caller', '../escape')).rejects.toThrow(/recording filename/);
    } finally {
      await room.destroy();
    }
  });

  it('destroys a room with its handles, and a second destroy is harmless', async () => {
    const room = await gateway.createRoom({ e2ee: false, video: false });
    const page = await openPage();
    const publisherUp = nextEvent(room, isUp('caller', 'publisher'));
    await page.acceptAnswer(await room.publish('caller', await page.publish({ video: false })));
    await relayCandidates(page, room, 'caller', 'publisher');
    await publisherUp;
    expect((await probe.describeRoom(room.id))?.num_participants).toBe(1);

    await room.destroy();
    expect(await probe.roomExists(room.id)).toBe(false);
    await expect(room.destroy()).resolves.toBeUndefined();
    await expect(room.publish('callee', await page.publish({ video: false }))).rejects.toThrow(/destroyed/);
    await waitFor('the page to see the hang-up', async () => ((await page.connectionState('publisher')) === 'connected' ? undefined : true), 10_000);
  });

  it('destroys the rooms still open when the gateway closes, and says so once', async () => {
    const room = await gateway.createRoom({ e2ee: true, video: false });
    const closes: (Error | undefined)[] = [];
    gateway.onClose((error) => closes.push(error));
    await gateway.close();
    await gateway.close();
    expect(await probe.roomExists(room.id)).toBe(false);
    expect(closes).toEqual([undefined]);
    await expect(gateway.createRoom({ e2ee: false, video: false })).rejects.toThrow(/closed/);
  });
});
