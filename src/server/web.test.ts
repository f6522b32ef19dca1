import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebHandler, resolveStaticPath, WEB_CLIENT_CSP } from './web';

describe('static file resolution', () => {
  const root = '/srv/web';
  it('maps / to index.html and paths under the root to files', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/web/index.html');
    expect(resolveStaticPath(root, '/assets/app.js?v=1')).toBe('/srv/web/assets/app.js');
  });
  it.each(['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/../../x', '/%00', '/%E0%A4%A'])('refuses %s', (url) => {
    expect(resolveStaticPath(root, url)).toBeNull();
  });
});

describe('web client CSP', () => {
  it('allows only the app’s own scripts, workers and server', () => {
    expect(WEB_CLIENT_CSP).toContain("script-src 'self'");
    expect(WEB_CLIENT_CSP).toContain("connect-src 'self'");
    expect(WEB_CLIENT_CSP).not.toContain('unsafe-inline');
    expect(WEB_CLIENT_CSP).not.toContain('unsafe-eval');
  });
});

describe('/healthz', () => {
  function ask(remoteAddress: string, ok: boolean): { status: number; body: unknown } {
    const handler = createWebHandler({ webRoot: '/nonexistent', health: () => ({ ok, details: { janus: ok, connections: 3, calls: 1 } }) });
    const answer = { status: 0, body: null as unknown };
    const response = {
      writeHead(status: number) {
        answer.status = status;
        return this;
      },
      end(body: string) {
        answer.body = JSON.parse(body);
      },
    };
    handler({ method: 'GET', url: '/healthz', socket: { remoteAddress } } as unknown as IncomingMessage, response as unknown as ServerResponse);
    return answer;
  }

  it('tells only ok or not ok to other machines, and the details to loopback', () => {
    expect(ask('203.0.113.7', true)).toEqual({ status: 200, body: { ok: true } });
    expect(ask('::ffff:10.0.0.3', false)).toEqual({ status: 503, body: { ok: false } });
    expect(ask('127.0.0.1', true)).toEqual({ status: 200, body: { ok: true, janus: true, connections: 3, calls: 1 } });
    expect(ask('::1', false)).toEqual({ status: 503, body: { ok: false, janus: false, connections: 3, calls: 1 } });
  });
});
