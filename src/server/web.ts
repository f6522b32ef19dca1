// Serves the built web client (the same renderer the desktop app runs) with a strict CSP, and a
// health endpoint. Only files under the web root are served; anything else is a 404.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { RENDERER_CONTENT_TYPES } from '../shared/contentTypes';
import { rendererCsp } from '../shared/csp';

/** The web client's Content-Security-Policy (shared/csp.ts): its own scripts and workers, its own server only. */
export const WEB_CLIENT_CSP = rendererCsp();

const SECURITY_HEADERS = {
  'Content-Security-Policy': WEB_CLIENT_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=()',
};

/** Maps a URL path to a file under `root`, or null when it would leave the root. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, relative);
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

/** What /healthz reports: ok or not for anyone, the details only to loopback. */
export interface Health {
  ok: boolean;
  details: Record<string, unknown>;
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));
}

export function createWebHandler(opts: { webRoot: string; health: () => Health; serveSourceMaps?: boolean }) {
  const root = path.resolve(opts.webRoot);
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.split('?', 1)[0] === '/healthz') {
      // 503 while the server cannot carry calls (Janus unreachable), so a load balancer or a
      // supervisor sees it; live counts are for the operator on this machine only.
      const health = opts.health();
      response.writeHead(health.ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(isLoopback(request.socket.remoteAddress) ? { ...health.details, ok: health.ok } : { ok: health.ok }));
      return;
    }
    const resolved = resolveStaticPath(root, url);
    const file = resolved?.endsWith('.map') && !opts.serveSourceMaps ? null : resolved;
    fs.stat(file ?? '', (error, stat) => {
      if (!file || error || !stat.isFile()) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
        response.end(fs.existsSync(path.join(root, 'index.html')) ? 'not found' : 'the web client is not built: run npm run build');
        return;
      }
      const hashed = /\/assets\//.test(file);
      response.writeHead(200, {
        'Content-Type': RENDERER_CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': stat.size,
        'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...SECURITY_HEADERS,
      });
      if (request.method === 'HEAD') return void response.end();
      // pipeline, not pipe: a read error (the file went away after stat) ends this response only.
      pipeline(fs.createReadStream(file), response, () => undefined);
    });
  };
}
