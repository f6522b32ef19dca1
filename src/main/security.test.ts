import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  cspFor,
  decideNavigation,
  decidePermission,
  decideRequest,
  externalLinkFor,
  guardWebContents,
  openExternalSafely,
  serverOrigin,
  type PermissionQuery,
} from './security';

function directives(csp: string): Map<string, string> {
  return new Map(csp.split('; ').map((directive) => [directive.split(' ')[0] ?? '', directive.split(' ').slice(1).join(' ')]));
}

describe('cspFor', () => {
  it('allows scripts and workers from the app only, and the signaling server as the only peer', () => {
    const csp = directives(cspFor('wss://phone.example.org:8443/ws?x=1'));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('worker-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('media-src')).toBe("'self' blob: mediastream:");
    expect(csp.get('connect-src')).toBe("'self' wss://phone.example.org:8443 https://phone.example.org:8443/api/recordings/");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
  });

  it('never allows inline or evaluated script', () => {
    expect(cspFor('ws://localhost:8080/ws')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('refuses a server that is not ws:// or wss://', () => {
    expect(() => cspFor('https://phone.example.org')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(serverOrigin('ws://127.0.0.1:8080/ws')).toBe('ws://127.0.0.1:8080');
  });
});

describe('decideNavigation', () => {
  it.each([
    ['app://softphone/index.html', 'allow'],
    ['app://softphone/index.html#/settings', 'allow'],
    ['app://elsewhere/index.html', 'deny'],
    ['https://example.org/', 'deny'],
    ['file:///etc/passwd', 'deny'],
    ['javascript:alert(1)', 'deny'],
    ['about:blank', 'deny'],
  ])('%s → %s', (url, expected) => {
    expect(decideNavigation(url)).toBe(expected);
  });
});

describe('decideRequest', () => {
  const server = 'ws://localhost:8080/ws';
  it.each([
    ['ws://localhost:8080/ws', 'allow'],
    ['ws://localhost:8080/other', 'allow'],
    ['wss://localhost:8080/ws', 'deny'],
    ['ws://localhost:9090/ws', 'deny'],
    ['http://localhost:8080/', 'deny'],
    ['http://localhost:8080/api/recordings/AAAAAAAAAAAAAAAAAAAAAA/mixed.wav?token=x', 'allow'],
    ['https://localhost:8080/api/recordings/AAAAAAAAAAAAAAAAAAAAAA/mixed.wav', 'deny'],
    ['http://localhost:8080/api/recordings/../../etc/passwd', 'deny'],
    ['http://localhost:8080/api/other', 'deny'],
    ['http://localhost:9090/api/recordings/x', 'deny'],
    ['https://cdn.example.org/x.js', 'deny'],
    ['garbage', 'deny'],
  ])('%s → %s', (url, expected) => {
    expect(decideRequest(url, server)).toBe(expected);
  });

  it('denies everything while no server may be used (an unconfirmed plain ws:// address)', () => {
    expect(decideRequest('ws://10.0.0.5:8080/ws', null)).toBe('deny');
  });
});

describe('decidePermission', () => {
  const microphone: PermissionQuery = {
    permission: 'media',
    requestingUrl: 'app://softphone/index.html',
    isMainFrame: true,
    mediaTypes: ['audio'],
    mediaWanted: true,
    screenChosen: false,
  };

  it('grants the microphone and the camera to the app while it needs them', () => {
    expect(decidePermission(microphone)).toBe(true);
    expect(decidePermission({ ...microphone, mediaTypes: ['audio', 'video'] })).toBe(true);
    expect(decidePermission({ ...microphone, requestingUrl: 'app://softphone' })).toBe(true);
  });

  it('denies media when no call or device preview needs it', () => {
    expect(decidePermission({ ...microphone, mediaWanted: false })).toBe(false);
  });

  it('lets the app choose the speaker while it needs its devices, and only then', () => {
    const speaker = { ...microphone, permission: 'speaker-selection', mediaTypes: [] };
    expect(decidePermission(speaker)).toBe(true);
    expect(decidePermission({ ...speaker, mediaWanted: false })).toBe(false);
    expect(decidePermission({ ...speaker, isMainFrame: false })).toBe(false);
    expect(decidePermission({ ...speaker, requestingUrl: 'https://evil.example/' })).toBe(false);
  });

  it('denies media to anyone but the app main frame', () => {
    expect(decidePermission({ ...microphone, isMainFrame: false })).toBe(false);
    expect(decidePermission({ ...microphone, requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(decidePermission({ ...microphone, requestingUrl: undefined })).toBe(false);
  });

  it('denies devices a call does not use, and requests that name none', () => {
    expect(decidePermission({ ...microphone, mediaTypes: ['unknown'] })).toBe(false);
    expect(decidePermission({ ...microphone, mediaTypes: ['audio', 'screen'] })).toBe(false);
    expect(decidePermission({ ...microphone, mediaTypes: [] })).toBe(false);
  });

  it('grants screen capture to the app main frame during a call only right after the user picked a screen', () => {
    const screen = { ...microphone, permission: 'display-capture', mediaTypes: ['video'], screenChosen: true };
    expect(decidePermission(screen)).toBe(true);
    expect(decidePermission({ ...screen, screenChosen: false })).toBe(false);
    expect(decidePermission({ ...screen, mediaWanted: false })).toBe(false);
    expect(decidePermission({ ...screen, isMainFrame: false })).toBe(false);
    expect(decidePermission({ ...screen, requestingUrl: 'https://evil.example/' })).toBe(false);
    // A pick does not open anything else.
    expect(decidePermission({ ...microphone, permission: 'notifications', screenChosen: true })).toBe(false);
  });

  it.each(['display-capture', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'unknown'])(
    'denies %s even during a call',
    (permission) => {
      expect(decidePermission({ ...microphone, permission })).toBe(false);
    },
  );
});

describe('external links', () => {
  it('lets only https links without credentials out', () => {
    expect(externalLinkFor('https://example.org/help?q=1')).toBe('https://example.org/help?q=1');
    for (const url of ['http://example.org', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'https://user:pw@example.org', 'nope']) {
      expect(externalLinkFor(url)).toBeNull();
    }
  });

  it('opens through the shell only what it allows', () => {
    const shell = { openExternal: vi.fn(() => Promise.resolve()) };
    expect(openExternalSafely('https://example.org/', shell)).toBe(true);
    expect(openExternalSafely('file:///bin/sh', shell)).toBe(false);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.org/');
  });
});

describe('guardWebContents', () => {
  function fakeContents() {
    const events = new EventEmitter();
    let windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (name: string, listener: Parameters<EventEmitter['on']>[1]) => events.on(name, listener),
      setWindowOpenHandler: (handler: typeof windowOpenHandler) => {
        windowOpenHandler = handler;
      },
    };
    const navigate = (name: string, url: string, isMainFrame = true) => {
      const event = { url, isMainFrame, preventDefault: vi.fn() };
      events.emit(name, event);
      return event.preventDefault.mock.calls.length > 0;
    };
    return { contents, navigate, openWindow: (url: string) => windowOpenHandler?.({ url }) };
  }

  it('cancels navigation away from the app in every frame and sends https links to the browser', () => {
    const fake = fakeContents();
    const openExternal = vi.fn(() => true);
    guardWebContents(fake.contents as never, openExternal);

    expect(fake.navigate('will-navigate', 'app://softphone/index.html')).toBe(false);
    expect(fake.navigate('will-navigate', 'https://example.org/')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://example.org/');
    expect(fake.navigate('will-frame-navigate', 'https://example.org/', false)).toBe(true);
    expect(fake.navigate('will-redirect', 'https://example.org/')).toBe(true);
    expect(fake.navigate('will-attach-webview', 'app://softphone/index.html')).toBe(true);
  });

  it('denies every new window', () => {
    const fake = fakeContents();
    const openExternal = vi.fn(() => true);
    guardWebContents(fake.contents as never, openExternal);

    expect(fake.openWindow('app://softphone/index.html')).toEqual({ action: 'deny' });
    expect(fake.openWindow('https://example.org/')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenLastCalledWith('https://example.org/');
  });
});
