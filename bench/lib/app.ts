// The real app for benchmarks: the built server against the testbed's Janus, and users in real
// Chromium driven by role and accessible name (e2e/app/user.ts), plus what only benchmarks need —
// a 720p fake camera and reading the call-details panel. For a cross-origin isolated page (5 µs
// clock in the E2EE worker instead of 100 µs) open users through bench/lib/isolatingProxy.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as viteBuild, type PluginOption } from 'vite';
import { buildServer } from '../../scripts/build-server.mjs';
import { LOOSE_LIMIT_ARGS, launchServer } from '../../e2e/app/server';
import { AppUser } from '../../e2e/app/user';
import type { TestbedJanus } from '../../e2e/support/janus';

/** A build of the app of its own, so that another build of dist/ during a run cannot pull files away. */
export const BENCH_APP = { renderer: 'dist/bench/app/renderer', server: 'dist/bench/app/server/index.js' } as const;

/**
 * Builds the web client and the server from the current sources into BENCH_APP (as scripts/build.mjs
 * does into dist/). `workerPlugins` rewrite the E2EE worker for an A/B comparison; `renderer` puts
 * that build elsewhere.
 */
export async function buildApp(options: { renderer?: string; workerPlugins?: PluginOption[] } = {}): Promise<void> {
  await viteBuild({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir: resolve(options.renderer ?? BENCH_APP.renderer), emptyOutDir: true },
    ...(options.workerPlugins ? { worker: { format: 'es', plugins: () => options.workerPlugins ?? [] } } : {}),
  });
  if (options.renderer) return;
  await buildServer(BENCH_APP.server);
}

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  /** The inspector's address when started with `inspect`. */
  inspectorUrl: string | null;
  /** What the server has logged (JSON lines on stderr; the last 2 MB). */
  logs(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); the data folder stays for `close`. */
  stop(): Promise<void>;
  /** Stops it and deletes its data folder, unless the folder was given. */
  close(): Promise<void>;
}

export interface BenchServerOptions {
  renderer?: string;
  logLevel?: string;
  /** Reuse a data folder (its accounts). */
  dataDir?: string;
  /** Run bench/lib/noMediaServer.ts instead: the same signaling, rooms without media. */
  noMedia?: boolean;
  /** Start with Node's inspector on a free loopback port (for a CPU profile). */
  inspect?: boolean;
}

/** Starts the built server (BENCH_APP) on a free loopback port against the testbed's Janus. */
export async function startServer(janus: TestbedJanus, options: BenchServerOptions = {}): Promise<BenchServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'softphone-bench-server-')));
  const node = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const args = options.noMedia
    ? [...node, '--import', 'tsx', 'bench/lib/noMediaServer.ts', dataDir]
    : [
        ...node,
        BENCH_APP.server,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--web-root',
        options.renderer ?? BENCH_APP.renderer,
        '--log-level',
        options.logLevel ?? 'info',
        ...LOOSE_LIMIT_ARGS,
      ];
  // Keep the tail of the logs only: a load test logs a great deal.
  const server = await launchServer(janus, args, 2_000_000);
  return {
    url: server.url,
    pid: server.pid,
    dataDir,
    inspectorUrl: /Debugger listening on (ws:\/\/\S+)/.exec(server.logs())?.[1] ?? null,
    logs: server.logs,
    stop: server.stop,
    async close() {
      await server.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchUserOptions {
  /** Ask the fake camera for 1280×720 (the app asks for the camera's default, 640×480 here). */
  hdCamera?: boolean;
}

export async function openUser(serverUrl: string, handle: string, options: BenchUserOptions = {}): Promise<AppUser> {
  const user = await AppUser.open(serverUrl, handle);
  const { page } = user;
  if (options.hdCamera) {
    await page.addInitScript(() => {
      const devices = navigator.mediaDevices;
      const original = devices.getUserMedia.bind(devices);
      devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
        const video = constraints?.video;
        if (!video) return original(constraints);
        const hd = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
        return original({ ...constraints, video: video === true ? hd : { ...video, ...hd } });
      };
    });
  }
  if (options.hdCamera) {
    await page.reload();
    await user.connection.filter({ hasText: `Connected as ${handle}` }).waitFor();
  }
  return user;
}

/** Dials with or without video; the callee accepts; resolves once both call timers run. */
export async function connectCall(caller: AppUser, callee: AppUser, video: boolean): Promise<void> {
  await caller.page.getByRole('checkbox', { name: 'With video' }).setChecked(video);
  await caller.dial(callee.handle);
  await callee.incomingFrom(caller.handle).waitFor({ timeout: 20_000 });
  await callee.accept();
  await Promise.all([caller.callTimer.waitFor({ timeout: 30_000 }), callee.callTimer.waitFor({ timeout: 30_000 })]);
}

export async function hangUp(caller: AppUser, callee: AppUser): Promise<void> {
  await caller.hangUp();
  await Promise.all([caller.endReason(), callee.endReason()]);
  await Promise.all([caller.dismissEnded(), callee.dismissEnded()]);
}

export interface PanelTimes {
  p50Micros: number;
  p99Micros: number;
}

function micros(value: string, unit: string): number {
  return unit === 'ms' ? Number(value) * 1000 : Number(value);
}

/** "Encrypt time per frame" / "Decrypt time per frame" from the call-details panel (which must be open). */
export async function panelTimes(user: AppUser, operation: 'Encrypt' | 'Decrypt', kind: 'audio' | 'video'): Promise<PanelTimes | null> {
  const text = (await user.page.getByLabel(`${operation} time per frame, ${kind}`, { exact: true }).textContent()) ?? '';
  const match = /p50 ([\d.]+) (µs|ms) · p99 ([\d.]+) (µs|ms)/.exec(text);
  return match ? { p50Micros: micros(match[1]!, match[2]!), p99Micros: micros(match[3]!, match[4]!) } : null;
}

/** A number from the call-details panel, by its accessible name. */
export async function panelNumber(user: AppUser, name: string): Promise<number> {
  return Number((await user.page.getByLabel(name, { exact: true }).textContent()) ?? 'NaN');
}

export async function openCallDetails(user: AppUser): Promise<void> {
  const details = user.page.getByRole('region', { name: 'Call details' });
  if (!(await details.isVisible())) await user.page.getByRole('button', { name: 'Call details' }).click();
  await details.waitFor();
}

/** What this user's page sends, from getStats() on its peer connections. */
export async function outboundVideo(
  user: AppUser,
): Promise<{ width: number; height: number; framesPerSecond: number; bytesPerFrame: number; keyFrames: number }> {
  return user.page.evaluate(async () => {
    const out = { width: 0, height: 0, framesPerSecond: 0, bytesPerFrame: 0, keyFrames: 0 };
    for (const pc of window.__testPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report.type !== 'outbound-rtp' || report.kind !== 'video') return;
        const frames = Number(report.framesEncoded ?? 0);
        out.width = Number(report.frameWidth ?? 0);
        out.height = Number(report.frameHeight ?? 0);
        out.framesPerSecond = Number(report.framesPerSecond ?? 0);
        out.bytesPerFrame = frames > 0 ? Number(report.bytesSent ?? 0) / frames : 0;
        out.keyFrames = Number(report.keyFramesEncoded ?? 0);
      });
    }
    return out;
  });
}

/**
 * Frames through this user's E2EE transforms so far, from getStats(): audio packets (one Opus frame
 * each) and video frames, sent and received.
 */
export async function framesThroughTransforms(user: AppUser): Promise<number> {
  return user.page.evaluate(async () => {
    let frames = 0;
    for (const pc of window.__testPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report.type === 'outbound-rtp') frames += Number((report.kind === 'audio' ? report.packetsSent : report.framesEncoded) ?? 0);
        if (report.type === 'inbound-rtp') frames += Number((report.kind === 'audio' ? report.packetsReceived : report.framesReceived) ?? 0);
      });
    }
    return frames;
  });
}
