// The app's own privileged scheme: the window loads app://softphone/index.html, served only from
// the built renderer folder. A standard, secure scheme gives the page a real origin (for the CSP's
// 'self', module workers and IPC sender checks) without file:// and its extra privileges.
import type { CustomScheme } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { APP_SCHEME, isAppUrl } from '../shared/desktop/appOrigin';
import { RENDERER_CONTENT_TYPES } from '../shared/contentTypes';

/** Registered with `protocol.registerSchemesAsPrivileged` before the app is ready. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export type AppFileLookup = { kind: 'file'; path: string; contentType: string } | { kind: 'refused'; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// URL to a file under `rootDir`. Refuses other origins, encoded separators, dot
 * segments that survived URL parsing, anything resolving outside the folder, and unknown types.
 */
export function resolveAppFile(rootDir: string, url: string): AppFileLookup {
  if (!isAppUrl(url)) return { kind: 'refused', status: 404, reason: 'not an app URL' };
  const { pathname } = new URL(url);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'refused', status: 400, reason: 'malformed percent-encoding' };
  }
  if (/[\0\\]/.test(decoded) || decoded.split('/').includes('..')) {
    return { kind: 'refused', status: 403, reason: 'path outside the app' };
  }
  const root = resolve(rootDir);
  const path = resolve(root, `.${decoded === '/' ? '/index.html' : decoded}`);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    return { kind: 'refused', status: 403, reason: 'path outside the app' };
  }
  const contentType = RENDERER_CONTENT_TYPES[extname(path).toLowerCase()];
  if (!contentType) return { kind: 'refused', status: 404, reason: 'not a file type the app serves' };
  return { kind: 'file', path, contentType };
}

export interface AppProtocolOptions {
  /** The built renderer (dist/renderer). */
  rootDir: string;
  /** Read on every response, so a new signaling server takes effect at the next load. */
  contentSecurityPolicy: () => string;
}

/** The handler for `protocol.handle(APP_SCHEME, …)`: static files with a strict set of headers. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = {
      'Content-Security-Policy': options.contentSecurityPolicy(),
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { ...headers, Allow: 'GET, HEAD' } });
    }
    const lookup = resolveAppFile(options.rootDir, request.url);
    if (lookup.kind === 'refused') return new Response(null, { status: lookup.status, headers });
    let body: Buffer;
    try {
      body = await readFile(lookup.path);
    } catch {
      return new Response(null, { status: 404, headers });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...headers, 'Content-Type': lookup.contentType, 'Content-Length': String(body.byteLength) },
    });
  };
}
