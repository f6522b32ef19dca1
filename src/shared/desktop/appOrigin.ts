// The desktop app's own origin, app://softphone, and the test for it. Shared: the server allows it
// as a WebSocket Origin, and the sandboxed preload bundles this module too.
export const APP_SCHEME = 'app';
export const APP_HOST = 'softphone';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Whether `url` is a page or resource of the app itself (app://softphone, nothing else). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
