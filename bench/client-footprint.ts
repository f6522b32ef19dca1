// Client footprint: the web client's download size (the renderer bundle, gzip) and its JavaScript
// heap idle and during an E2EE call with audio and video (Chrome DevTools Protocol:
// Runtime.getHeapUsage on the page's main thread, before and after a forced garbage collection).
// Run: npm run bench:client-footprint
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { BENCH_APP, buildApp, connectCall, hangUp, openUser, startServer } from './lib/app';
import { runBench } from './lib/harness';
import { table, target } from './lib/results';
import { fmt } from './lib/stats';

const KB = 1024;
const MB = KB * KB;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Used and total JS heap of the page's main thread, after a garbage collection when asked. */
async function heap(page: Page, collect: boolean): Promise<{ used: number; total: number }> {
  const session = await page.context().newCDPSession(page);
  try {
    if (collect) await session.send('HeapProfiler.collectGarbage');
    const { usedSize, totalSize } = await session.send('Runtime.getHeapUsage');
    return { used: usedSize, total: totalSize };
  } finally {
    await session.detach();
  }
}

await runBench(
  'client-footprint',
  import.meta.url,
  async ({ recorder, janus, cleanup }) => {
    await buildApp();

    // ---- the bundle, as `npm run build` makes it (same Vite configuration) ----
    const shipped = files(BENCH_APP.renderer).filter((path) => !path.endsWith('.map'));
    const sizes = shipped.map((path) => {
      const bytes = readFileSync(path);
      return { path: relative(BENCH_APP.renderer, path), raw: bytes.length, gzip: gzipSync(bytes).length };
    });
    sizes.sort((a, b) => b.gzip - a.gzip);
    const total = sizes.reduce((sum, file) => ({ raw: sum.raw + file.raw, gzip: sum.gzip + file.gzip }), { raw: 0, gzip: 0 });
    const worker = sizes.filter((file) => file.path.includes('frameCrypto.worker'));
    const workerGzip = worker.reduce((sum, file) => sum + file.gzip, 0);
    recorder.section(
      'Renderer bundle (dist/renderer, source maps excluded), gzip at the default level',
      [
        table(
          ['File', 'Bytes', 'gzip'],
          [
            ...sizes.map((file) => [`\`${file.path}\``, fmt(file.raw / KB, 1) + ' KB', fmt(file.gzip / KB, 1) + ' KB']),
            ['**total**', fmt(total.raw / KB, 1) + ' KB', fmt(total.gzip / KB, 1) + ' KB'],
          ],
        ),
        '',
        `The E2EE worker (${fmt(workerGzip / KB, 1)} KB gzip) is fetched only when an end-to-end encrypted call starts; the page itself needs ${fmt((total.gzip - workerGzip) / KB, 1)} KB.`,
      ].join('\n'),
    );
    recorder.addTarget(target('Renderer bundle, gzip (everything the web client can download)', total.gzip / KB, 300, 'at most', ' KB', 1));

    // ---- the JS heap ----
    const server = await startServer(janus!);
    cleanup(() => server.close());
    const alice = await openUser(server.url, 'alice', { hdCamera: true });
    cleanup(() => alice.close());
    const bob = await openUser(server.url, 'bob', { hdCamera: true });
    cleanup(() => bob.close());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = { now: await heap(alice.page, false), live: await heap(alice.page, true) };
    await connectCall(alice, bob, true);
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const inCall = { now: await heap(alice.page, false), live: await heap(alice.page, true) };
    await hangUp(alice, bob);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = { now: await heap(alice.page, false), live: await heap(alice.page, true) };
    const row = (name: string, reading: typeof idle) => [
      name,
      `${fmt(reading.now.used / MB, 1)} MB`,
      `${fmt(reading.live.used / MB, 1)} MB`,
      `${fmt(reading.now.total / MB, 1)} MB`,
    ];
    recorder.section(
      "The caller's JS heap (page main thread)",
      [
        table(
          ['When', 'Used', 'Used after a garbage collection', 'Heap size'],
          [row('logged in, idle', idle), row('20 s into an E2EE call with audio and 720p video', inCall), row('3 s after hanging up', after)],
        ),
        '',
        "The E2EE worker's own heap is a separate isolate and not included.",
      ].join('\n'),
    );
    recorder.note(`JS heap in a call, after a garbage collection: ${fmt(inCall.live.used / MB, 1)} MB (no target set).`);
  },
  { testbed: true },
);
