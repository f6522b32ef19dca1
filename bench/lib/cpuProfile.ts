// Sampling CPU profiles through the DevTools protocol — of a page's main thread (Playwright) or of
// a Node process started with --inspect — summed by the original source file of each function.
// Bundles are mapped back through their source maps with Node's own SourceMap.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { WebSocket } from 'ws';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SAMPLING_MICROS = 200;

export class PageProfiler {
  private constructor(private readonly session: CDPSession) {}

  static async start(page: Page): Promise<PageProfiler> {
    const session = await page.context().newCDPSession(page);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_MICROS });
    await session.send('Profiler.start');
    return new PageProfiler(session);
  }

  async stop(): Promise<Profile> {
    const { profile } = (await this.session.send('Profiler.stop')) as unknown as { profile: Profile };
    await this.session.detach();
    return profile;
  }
}

/** Profiles a Node process through its inspector (started with --inspect=127.0.0.1:0). */
export class NodeProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
    });
  }

  /** `inspectorUrl`: the ws:// address the process printed ("Debugger listening on ..."). */
  static async start(inspectorUrl: string): Promise<NodeProfiler> {
    const socket = new WebSocket(inspectorUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const profiler = new NodeProfiler(socket);
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.setSamplingInterval', { interval: SAMPLING_MICROS });
    await profiler.send('Profiler.start');
    return profiler;
  }

  async stop(): Promise<Profile> {
    const { profile } = (await this.send('Profiler.stop')) as { profile: Profile };
    this.socket.close();
    return profile;
  }

  private send(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}

/** The source map next to a script: a page's bundle under `webRoot`, or a local file. */
export function sourceMapFor(url: string, webRoot?: string): string | null {
  if (url.startsWith('file://')) return `${fileURLToPath(url)}.map`;
  if (url.startsWith('http') && webRoot) return join(webRoot, 'assets', `${basename(new URL(url).pathname)}.map`);
  return null;
}

/** "…/node_modules/@noble/curves/esm/ed25519.js" → "@noble/curves/esm/ed25519.js"; "…/src/server/x.ts" → "src/server/x.ts". */
function shorten(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) return source.slice(modules + 'node_modules/'.length);
  const src = source.lastIndexOf('src/');
  return src >= 0 ? source.slice(src) : source;
}

/** Milliseconds by where they went: an original source file, or V8's own categories like `(garbage collector)`. */
export function timeBySource(profiles: readonly Profile[], mapFile: (url: string) => string | null): Map<string, number> {
  const maps = new Map<string, SourceMap | null>();
  const sourceMap = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      let map: SourceMap | null = null;
      const file = mapFile(url);
      try {
        if (file) map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        // No map: the script's own name stands.
      }
      maps.set(url, map);
    }
    return maps.get(url)!;
  };
  const where = ({ functionName, url, lineNumber, columnNumber }: ProfileNode['callFrame']): string => {
    if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
    if (url.startsWith('node:')) return 'node internals';
    const entry = sourceMap(url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined;
    return shorten(entry?.originalSource ?? (url.startsWith('file://') ? fileURLToPath(url) : basename(new URL(url).pathname)));
  };
  const totals = new Map<string, number>();
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const key = where(byId.get(id)!.callFrame);
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  return totals;
}
