import { describe, expect, it } from 'vitest';
import { rendererCsp } from './csp';
import { cspFor } from '../main/security';
import { WEB_CLIENT_CSP } from '../server/web';

function withoutConnect(csp: string): string[] {
  return csp.split('; ').filter((directive) => !directive.startsWith('connect-src'));
}

describe('rendererCsp', () => {
  it('is the one policy of both hosts: they differ only in the network peers connect-src names', () => {
    const desktop = cspFor('wss://calls.example.org/ws');
    expect(withoutConnect(desktop)).toEqual(withoutConnect(WEB_CLIENT_CSP));
    expect(WEB_CLIENT_CSP).toContain("connect-src 'self';");
    expect(desktop).toContain("connect-src 'self' wss://calls.example.org https://calls.example.org/api/recordings/;");
  });

  it('allows no inline or evaluated script and no plugins or frames', () => {
    const csp = rendererCsp(['wss://x.example']);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
