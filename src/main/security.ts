// The security decisions of the desktop app, as pure functions, and the small glue that installs
// them on Electron's session and web contents. Everything not named here is denied.
import type { Session, WebContents } from 'electron';
import { isAppUrl } from '../shared/desktop/appOrigin';
import { rendererCsp } from '../shared/csp';
import type { CapturableSource, DisplayMediaRequest } from './screenShare';

/** The origin of a ws:// or wss:// server URL, as a CSP source and for request checks. */
export function serverOrigin(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error('the signaling server must be a ws:// or wss:// URL');
  return `${url.protocol}//${url.host}`;
}

/**
 * Where the page downloads recordings from: the signaling server's own HTTP side (http:// for
 * ws://, https:// for wss://), under /api/recordings/ only.
 */
export function recordingsBase(serverUrl: string): string {
  return `${serverOrigin(serverUrl).replace(/^ws/, 'http')}/api/recordings/`;
}

/**
 * The page's Content-Security-Policy (shared/csp.ts): the signaling server is its only network
 * peer, and with no usable server (null) there is none.
 */
export function cspFor(serverUrl: string | null): string {
  return rendererCsp(serverUrl === null ? [] : [serverOrigin(serverUrl), recordingsBase(serverUrl)]);
}

/** Only the app's own pages may be loaded in its window. */
export function decideNavigation(url: string): 'allow' | 'deny' {
  return isAppUrl(url) ? 'allow' : 'deny';
}

/**
 * Network requests the page may make: the signaling server's WebSocket, and downloads of the
 * user's recordings from that server — nothing else on the network. With no usable server (null:
 * an unconfirmed plain ws:// address), nothing.
 */
export function decideRequest(url: string, serverUrl: string | null): 'allow' | 'deny' {
  if (serverUrl === null) return 'deny';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'deny';
  }
  if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') {
    return `${parsed.protocol}//${parsed.host}` === serverOrigin(serverUrl) ? 'allow' : 'deny';
  }
  return `${parsed.origin}${parsed.pathname}`.startsWith(recordingsBase(serverUrl)) ? 'allow' : 'deny';
}

/** The devices a call may capture as `media`: the microphone and the camera (the screen is `display-capture`). */
const CALL_DEVICES: ReadonlySet<string> = new Set(['audio', 'video']);

export interface PermissionQuery {
  permission: string;
  /** The URL (request) or origin (check) of the frame asking. */
  requestingUrl: string | undefined;
  isMainFrame: boolean;
  /** The devices asked for, for `media`: 'audio', 'video' (or 'unknown' in some checks). */
  mediaTypes: readonly string[];
  /**
   * Whether the app needs its devices now: a call is prepared or active on this device (from
   * `call.prepare` to `call.end`), or the settings panel previews them (`devices.preview`).
   */
  mediaWanted: boolean;
  /** The user picked a screen or window in the app's own picker moments ago (screenShare.ts). */
  screenChosen: boolean;
}

/**
 * Grants `media` to the app's main frame while it needs its devices, for the microphone and the
 * camera only, and with it the choice of speaker (`speaker-selection`, for setSinkId). Screen
 * capture (`display-capture`) only right after the user picked a screen or window in the app's
 * picker. Every other permission (notifications, geolocation, …) is denied.
 */
export function decidePermission(query: PermissionQuery): boolean {
  if (!query.mediaWanted || !query.isMainFrame || query.requestingUrl === undefined || !isAppUrl(query.requestingUrl)) return false;
  if (query.permission === 'speaker-selection') return true;
  if (query.permission === 'display-capture') return query.screenChosen;
  return query.permission === 'media' && query.mediaTypes.length > 0 && query.mediaTypes.every((type) => CALL_DEVICES.has(type));
}

/** The https URL to hand to the system browser, or null: nothing else leaves the app. */
export function externalLinkFor(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

/** The one way the app opens a link outside itself: https only, in the system browser. */
export function openExternalSafely(url: string, shell: { openExternal(url: string): Promise<void> }): boolean {
  const link = externalLinkFor(url);
  if (link === null) return false;
  shell.openExternal(link).catch((error: unknown) => {
    console.warn('Could not open a link in the system browser:', error instanceof Error ? error.message : error);
  });
  return true;
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Applied to every web contents the app creates: no navigation away from the app in any frame,
 * no new windows, no <webview>. Links to https pages open in the system browser instead.
 */
export function guardWebContents(contents: GuardedContents, openExternal: (url: string) => boolean): void {
  contents.on('will-navigate', (event) => {
    if (decideNavigation(event.url) === 'allow') return;
    event.preventDefault();
    openExternal(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && decideNavigation(event.url) === 'deny') event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (decideNavigation(event.url) === 'deny') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
}

type GuardedSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'setDisplayMediaRequestHandler' | 'webRequest'
>;

export interface SessionGuardOptions {
  /** See PermissionQuery.mediaWanted. */
  mediaWanted: () => boolean;
  /** The server the page may talk to; null for none. */
  serverUrl: () => string | null;
  /** The screen or window the user picked for sharing (ScreenSharePicker). */
  screenShare: { chosen(): boolean; take(request: DisplayMediaRequest): CapturableSource | null };
}

/** Installs the permission policy and the network filter on the app's session. */
export function guardSession(session: GuardedSession, options: SessionGuardOptions): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(
      decidePermission({
        permission,
        requestingUrl: details.requestingUrl,
        isMainFrame: details.isMainFrame,
        mediaTypes: 'mediaTypes' in details ? (details.mediaTypes ?? []) : [],
        mediaWanted: options.mediaWanted(),
        screenChosen: options.screenShare.chosen(),
      }),
    );
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermission({
      permission,
      requestingUrl: requestingOrigin,
      isMainFrame: details.isMainFrame,
      mediaTypes: details.mediaType ? [details.mediaType] : [],
      mediaWanted: options.mediaWanted(),
      screenChosen: options.screenShare.chosen(),
    }),
  );
  session.setDevicePermissionHandler(() => false);
  // getDisplayMedia gets the user's pick from the app's picker, or nothing.
  session.setDisplayMediaRequestHandler((request, callback) => {
    const source = options.screenShare.take(request);
    callback(source ? { video: source } : null);
  });
  session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (details, callback) => {
    callback({ cancel: decideRequest(details.url, options.serverUrl()) === 'deny' });
  });
}
