import { describe, expect, it } from 'vitest';
import { resolveStaticPath, WEB_CLIENT_CSP } from './web';

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
