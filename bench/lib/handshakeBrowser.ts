// Runs the handshake workload in a Chromium page, where the web client's host runs CallSecurity:
// bundles bench/lib/handshakeWorkload.ts, serves it from loopback with cross-origin isolation (so
// performance.now() has 5 µs resolution instead of 100 µs) and runs rounds on request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { launchChromium, type LaunchedChromium } from '../../e2e/support/browser';
import type { HandshakeSamples } from './handshakeWorkload';

declare global {
  interface Window {
    runHandshakes?: (rounds: number) => { samples: HandshakeSamples; isolated: boolean };
  }
}

const ENTRY = `import { runHandshakes } from './handshakeWorkload';
window.runHandshakes = (rounds) => ({ samples: runHandshakes(rounds, () => performance.now()), isolated: self.crossOriginIsolated });`;

export class BrowserHandshakes {
  private constructor(
    private readonly browser: LaunchedChromium,
    private readonly server: http.Server,
    private readonly run: (rounds: number) => Promise<{ samples: HandshakeSamples; isolated: boolean }>,
  ) {}

  static async start(): Promise<BrowserHandshakes> {
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'warning',
    });
    const script = bundle.outputFiles[0]!.text;
    const server = http.createServer((request, response) => {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      if (request.url === '/handshake.js') {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(script);
      } else {
        response.setHeader('Content-Type', 'text/html');
        response.end('<!doctype html><meta charset="utf-8"><title>handshake</title><script type="module" src="/handshake.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => typeof window.runHandshakes === 'function');
      return new BrowserHandshakes(browser, server, (rounds) => page.evaluate((n) => window.runHandshakes!(n), rounds));
    } catch (error) {
      await browser.close();
      server.close();
      throw error;
    }
  }

  async handshakes(rounds: number): Promise<HandshakeSamples> {
    const reply = await this.run(rounds);
    if (!reply.isolated) throw new Error('the Chromium page is not cross-origin isolated: its clock would be coarse');
    return reply.samples;
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.server.close();
  }
}
