// Runs the frame-crypto workload in a Chromium dedicated worker: bundles bench/lib/frameCryptoWorker.ts,
// serves it from loopback with cross-origin isolation (so the worker's clock has 5 µs resolution
// instead of 100 µs), and measures the CPU time of Chromium's processes around each job.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { launchChromium, type LaunchedChromium } from '../../e2e/support/browser';
import type { FrameKey, OpTimes } from './frameWorkload';
import { cpuSeconds, descendants } from './processCpu';

export type BrowserCodec = 'sframeWebCrypto' | 'sframeNoble' | 'webCrypto' | 'noble';

export type WorkerJob = { type: 'time'; codec: BrowserCodec; frame: FrameKey; count: number } | { type: 'simulate'; codec: BrowserCodec; seconds: number };

type WorkerReply = { ok: true; result: unknown; isolated: boolean } | { ok: false; error: string };

declare global {
  interface Window {
    runJob?: (job: WorkerJob) => Promise<WorkerReply>;
  }
}

/** One worker per implementation, so none runs in another's garbage. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>frame-crypto</title><script>
const workers = new Map();
function workerFor(codec) {
  let entry = workers.get(codec);
  if (!entry) {
    const worker = new Worker('/worker.js', { type: 'module' });
    entry = { worker, pending: null };
    worker.onmessage = (event) => { const resolve = entry.pending; entry.pending = null; resolve(event.data); };
    worker.onerror = (event) => { const resolve = entry.pending; entry.pending = null; resolve && resolve({ ok: false, error: event.message }); };
    workers.set(codec, entry);
  }
  return entry;
}
window.runJob = (job) => new Promise((resolve) => { const entry = workerFor(job.codec); entry.pending = resolve; entry.worker.postMessage(job); });
</script>`;

export class BrowserFrameCrypto {
  private constructor(
    private readonly browser: LaunchedChromium,
    private readonly server: http.Server,
    private readonly run: (job: WorkerJob) => Promise<WorkerReply>,
  ) {}

  static async start(): Promise<BrowserFrameCrypto> {
    const bundle = await build({
      entryPoints: [new URL('./frameCryptoWorker.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'warning',
    });
    const workerJs = bundle.outputFiles[0]!.text;
    const server = http.createServer((request, response) => {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      if (request.url === '/worker.js') {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(workerJs);
      } else {
        response.setHeader('Content-Type', 'text/html');
        response.end(PAGE);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const run = (job: WorkerJob) => page.evaluate((j) => window.runJob!(j), job);
      return new BrowserFrameCrypto(browser, server, run);
    } catch (error) {
      await browser.close();
      server.close();
      throw error;
    }
  }

  private async job(job: WorkerJob): Promise<unknown> {
    const reply = await this.run(job);
    if (!reply.ok) throw new Error(`Chromium worker: ${reply.error}`);
    if (!reply.isolated) throw new Error('the Chromium worker is not cross-origin isolated: its clock would be coarse');
    return reply.result;
  }

  time(codec: BrowserCodec, frame: FrameKey, count: number): Promise<OpTimes> {
    return this.job({ type: 'time', codec, frame, count }) as Promise<OpTimes>;
  }

  /** Simulates `seconds` of a call; returns the worker's wall time and Chromium's CPU time, in seconds. */
  async simulate(codec: BrowserCodec, seconds: number): Promise<{ wallSeconds: number; cpuSeconds: number }> {
    const pids = descendants(process.pid, /chrom/i);
    const before = cpuSeconds(pids);
    const wallMs = (await this.job({ type: 'simulate', codec, seconds })) as number;
    return { wallSeconds: wallMs / 1000, cpuSeconds: cpuSeconds(pids) - before };
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.server.close();
  }
}
