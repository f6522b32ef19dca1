// Transform latency: the time each frame spends in the E2EE encrypt and decrypt transforms of a
// real call — two Chromium users, the real server and the testbed's Janus, E2EE on, audio and video
// (a fake camera asked for 1280×720) — read the way a user would: from "Encrypt/Decrypt time per frame" in the call-details
// panel, which the media worker fills from its own per-frame times (p50/p99 over its last 1,000
// frames per operation and media kind). The chosen path (WebCrypto), the previous one (@noble: the
// same app built with the worker not given WebCrypto) and a worker that passes frames through
// untouched take turns, and the worker threads' scheduler figures say where the time goes.
// Run: npm run bench:transform-latency
import os from 'node:os';
import type { AppUser } from '../e2e/app/user';
import {
  buildApp,
  connectCall,
  framesThroughTransforms,
  hangUp,
  openCallDetails,
  openUser,
  outboundVideo,
  panelNumber,
  panelTimes,
  startServer,
} from './lib/app';
import { runBench, type BenchContext } from './lib/harness';
import { startIsolatingProxy } from './lib/isolatingProxy';
import { descendants, threadSchedule, type ThreadSchedule } from './lib/processCpu';
import type { PluginOption } from 'vite';
import { table, target } from './lib/results';
import { fmt, median } from './lib/stats';

/** Time in the call before measuring, and the window measured (≈750 audio and 300–450 video frames per transform). */
const WARM_UP_SECONDS = 5;
const WINDOW_SECONDS = 15;
const ROUNDS = 2;

type Operation = 'Encrypt' | 'Decrypt';
type Kind = 'audio' | 'video';

interface CallReading {
  variant: string;
  round: number;
  load: number;
  /** p50 and p99 per user, operation and kind (µs). */
  times: { user: string; operation: Operation; kind: Kind; p50: number; p99: number }[];
  frames: number;
  worker: ThreadSchedule;
  video: Awaited<ReturnType<typeof outboundVideo>>;
}

/** A build of the app whose E2EE worker has `from` replaced by `to` (checked, so a renamed line fails loudly). */
function rewriteWorker(name: string, from: string, to: string): PluginOption {
  return {
    name,
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('frameCrypto.worker.ts')) return undefined;
      if (!code.includes(from)) throw new Error(`frameCrypto.worker.ts no longer contains ${JSON.stringify(from)}: update bench/transform-latency.ts`);
      return { code: code.replace(from, to), map: null };
    },
  };
}

const VARIANTS = [
  { name: 'WebCrypto AES-GCM (chosen path)', renderer: undefined, plugin: undefined, timed: true },
  {
    name: '@noble gcm() (previous path)',
    renderer: 'dist/bench/renderer-noble',
    // Not given WebCrypto, CallFrameCrypto falls back to @noble.
    plugin: rewriteWorker('frames-on-noble', 'subtle: self.crypto.subtle', 'subtle: undefined'),
    timed: true,
  },
  {
    name: 'no crypto (frames passed through)',
    renderer: 'dist/bench/renderer-pass-through',
    // The encoded-transform machinery alone: every frame handed on as it came, nothing timed.
    plugin: rewriteWorker(
      'frames-passed-through',
      '  const protector = frameCrypto;',
      '  controller.enqueue(frame);\n  return;\n  const protector = frameCrypto;',
    ),
    timed: false,
  },
] as const;

async function frameCount(users: AppUser[]): Promise<number> {
  let frames = 0;
  for (const user of users) frames += await framesThroughTransforms(user);
  return frames;
}

async function measureCall(context: BenchContext, variant: (typeof VARIANTS)[number], round: number): Promise<CallReading> {
  const server = await startServer(context.janus!, variant.renderer ? { renderer: variant.renderer } : {});
  context.cleanup(() => server.close());
  const proxy = await startIsolatingProxy(server.url);
  context.cleanup(() => proxy.close());
  const users: AppUser[] = [];
  for (const handle of ['alice', 'bob']) {
    const user = await openUser(proxy.url, handle, { hdCamera: true });
    context.cleanup(() => user.close());
    users.push(user);
    if (!(await user.page.evaluate(() => crossOriginIsolated))) throw new Error(`${handle}'s page is not cross-origin isolated`);
  }
  const [alice, bob] = users as [AppUser, AppUser];
  await connectCall(alice, bob, true);
  for (const user of users) await openCallDetails(user);
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_SECONDS * 1000));

  const renderers = descendants(process.pid, /chrom/i);
  const framesBefore = await frameCount(users);
  const before = threadSchedule(renderers, /^DedicatedWorker/);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000));
  const after = threadSchedule(renderers, /^DedicatedWorker/);
  const frames = (await frameCount(users)) - framesBefore;
  const load = os.loadavg()[0]!;

  const times: CallReading['times'] = [];
  for (const user of users) {
    if (!variant.timed) break;
    if (await user.page.getByText('not cross-origin isolated').isVisible()) throw new Error(`${user.handle}'s worker clock is coarse`);
    for (const operation of ['Encrypt', 'Decrypt'] as const) {
      for (const kind of ['audio', 'video'] as const) {
        const panel = await panelTimes(user, operation, kind);
        if (!panel) throw new Error(`${user.handle}'s panel shows no ${operation.toLowerCase()} time for ${kind}`);
        times.push({ user: user.handle, operation, kind, p50: panel.p50Micros, p99: panel.p99Micros });
      }
    }
    const dropped = await Promise.all(['auth', 'replay', 'malformed', 'unknown-key'].map((reason) => panelNumber(user, `Frames dropped: ${reason}`)));
    if (dropped.some((count) => count > 0)) throw new Error(`${user.handle} dropped frames: ${dropped.join(', ')}`);
  }
  const video = await outboundVideo(alice);
  await hangUp(alice, bob);
  for (const user of users) await user.close();
  await proxy.close();
  await server.close();
  const worker = { cpuNs: after.cpuNs - before.cpuNs, waitNs: after.waitNs - before.waitNs, slices: after.slices - before.slices };
  return { variant: variant.name, round, load, times, frames, worker, video };
}

await runBench(
  'transform-latency',
  import.meta.url,
  async (context) => {
    const { recorder } = context;
    await buildApp();
    for (const variant of VARIANTS) if (variant.renderer) await buildApp({ renderer: variant.renderer, workerPlugins: [variant.plugin] });

    const readings: CallReading[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of round % 2 ? [...VARIANTS].reverse() : VARIANTS) readings.push(await measureCall(context, variant, round));
    }

    const rows = readings
      .filter((reading) => reading.times.length > 0)
      .flatMap((reading) =>
        (['Encrypt', 'Decrypt'] as const).flatMap((operation) =>
          (['audio', 'video'] as const).map((kind) => {
            const mine = reading.times.filter((t) => t.operation === operation && t.kind === kind);
            return [
              reading.variant,
              String(reading.round + 1),
              fmt(reading.load, 1),
              operation,
              kind,
              mine.map((t) => fmt(t.p50, 0)).join(' / '),
              mine.map((t) => fmt(t.p99, 0)).join(' / '),
            ];
          }),
        ),
      );
    recorder.section(
      `Time per frame in the E2EE worker, µs, read from the call-details panels (alice / bob), E2EE call with audio and video (the fake cameras asked for 1280×720)`,
      table(['Path', 'Call', 'Load (1 min)', 'Transform', 'Media', 'p50', 'p99'], rows),
    );
    recorder.section(
      'Where the time goes: the worker threads, from the scheduler (/proc/<pid>/task/<tid>/schedstat)',
      [
        table(
          [
            'Path',
            'Call',
            'Load (1 min)',
            'Frames through the workers',
            'Worker CPU, share of a core per user',
            'Worker CPU per frame',
            'Waiting for a CPU, per frame',
            'Waiting per wake-up',
          ],
          readings.map((r) => [
            r.variant,
            String(r.round + 1),
            fmt(r.load, 1),
            String(r.frames),
            `${fmt((100 * r.worker.cpuNs) / 1e9 / WINDOW_SECONDS / 2, 1)} %`,
            `${fmt(r.worker.cpuNs / r.frames / 1000, 0)} µs`,
            `${fmt(r.worker.waitNs / r.frames / 1000, 0)} µs`,
            `${fmt(r.worker.waitNs / Math.max(1, r.worker.slices) / 1000, 0)} µs`,
          ]),
        ),
        '',
        `Both users' DedicatedWorker threads over the ${WINDOW_SECONDS} s window (the E2EE worker is the app's only dedicated worker): CPU time includes the encoded-frame streams' own JavaScript; WebCrypto's AES runs on another thread. alice's video as sent: ${readings[0]!.video.width}×${readings[0]!.video.height} at ${fmt(readings[0]!.video.framesPerSecond, 0)} frames/s, ${fmt(readings[0]!.video.bytesPerFrame / 1000, 1)} KB per frame on average (Chromium's fake camera).`,
      ].join('\n'),
    );

    const cpuPerFrame = (name: string) => median(readings.filter((r) => r.variant === name).map((r) => r.worker.cpuNs / r.frames / 1000));
    const [chosenPath, previousPath, passThrough] = VARIANTS.map((variant) => cpuPerFrame(variant.name)) as [number, number, number];
    const sharePerUser = (name: string) => median(readings.filter((r) => r.variant === name).map((r) => (100 * r.worker.cpuNs) / 1e9 / WINDOW_SECONDS / 2));
    recorder.note(
      `In the call, the E2EE worker thread used ${fmt(sharePerUser(VARIANTS[0].name), 1)} % of a core per user on the chosen path, ${fmt(sharePerUser(VARIANTS[1].name), 1)} % on the previous one and ${fmt(sharePerUser(VARIANTS[2].name), 1)} % passing frames through untouched — ` +
        "bench/frame-crypto's CPU share counts the crypto alone; any encoded transform costs the rest.",
    );
    recorder.note(
      `Worker CPU per frame (median of the calls): ${fmt(passThrough, 0)} µs with no crypto at all — Chromium's encoded-transform streams and frame objects — ` +
        `${fmt(chosenPath, 0)} µs on the chosen path (${fmt(chosenPath - passThrough, 0)} µs for SFrame on WebCrypto) and ${fmt(previousPath, 0)} µs on the previous path (${fmt(previousPath - passThrough, 0)} µs for SFrame on @noble).`,
    );
    const chosen = readings.filter((r) => r.variant === VARIANTS[0].name);
    const previous = readings.filter((r) => r.variant === VARIANTS[1].name);
    const waitPerFrame = median(chosen.map((r) => r.worker.waitNs / r.frames / 1000));
    const p50 = (calls: CallReading[], kind: Kind) => median(calls.flatMap((r) => r.times.filter((t) => t.kind === kind).map((t) => t.p50)));
    recorder.note(
      `Why the p99 targets are missed here: on the chosen path a frame's worker thread waited ${fmt(waitPerFrame, 0)} µs for a CPU and ran ${fmt(chosenPath, 0)} µs (medians per frame), ` +
        `and a frame on WebCrypto makes that trip twice (the worker, WebCrypto's thread, the worker again); the tail of those waits on a machine this busy is the p99. Of the worker's CPU, SFrame is ${fmt(chosenPath - passThrough, 0)} µs per frame and Chromium's own encoded-transform machinery ${fmt(passThrough, 0)} µs — ` +
        `each frame arrives alone, between other threads, so the same work costs several times what it does in bench/frame-crypto's tight loop. ` +
        `The cost in our code was the AEAD: on @noble it took ${fmt(previousPath - passThrough, 0)} µs of worker CPU per frame, video frames ${fmt(p50(previous, 'video'), 0)} µs and audio frames ${fmt(p50(previous, 'audio'), 0)} µs at p50; ` +
        `on WebCrypto ${fmt(chosenPath - passThrough, 0)} µs, ${fmt(p50(chosen, 'video'), 0)} µs and ${fmt(p50(chosen, 'audio'), 0)} µs. What remains is waiting for a CPU on a machine that runs both ends of a video call.`,
    );
    const worstP99 = (kind: Kind) => Math.max(...chosen.flatMap((r) => r.times.filter((t) => t.kind === kind).map((t) => t.p99)));
    recorder.addTarget(
      target(
        'E2EE transform time per video frame, p99 (chosen path; worst of encrypt/decrypt, both users, all calls)',
        worstP99('video') / 1000,
        1,
        'at most',
        ' ms',
        3,
      ),
    );
    recorder.addTarget(
      target(
        'E2EE transform time per audio frame, p99 (chosen path; worst of encrypt/decrypt, both users, all calls)',
        worstP99('audio') / 1000,
        0.2,
        'at most',
        ' ms',
        3,
      ),
    );
    recorder.note(
      "A frame's time runs from entering the transform to its hand-over, WebCrypto's AES-GCM included (the transform awaits it). The pages are cross-origin isolated (a loopback proxy in the benchmark adds Cross-Origin-Embedder-Policy to the server's responses) so that the worker's clock has 5 µs resolution; without isolation Chromium rounds it to 100 µs and the panel says so.",
    );
    recorder.note(
      'This machine runs both users — two Chromiums each encoding and decoding VP8 video in software — plus Janus and the server on its 2 cores, next to whatever else shares it (the load average above). A user has one Chromium on their own machine.',
    );
  },
  { testbed: true },
);
