// The renderer's Content-Security-Policy, one source for both hosts: the server sends it with the
// web client, and Electron main with the app's pages. Scripts and workers come only from the
// renderer's own files (Vite emits the E2EE worker as a file, so no blob: workers); media may play
// captured and remote streams; the only network peer is the signaling server. No inline script or
// style elements, no plugins, frames, forms or base URL changes.

/**
 * The policy for a renderer whose network peers are `connectSources` besides its own origin: none
 * for the web client (its server is its own origin), the signaling server's WebSocket and
 * recordings addresses for the desktop app.
 */
export function rendererCsp(connectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' blob: mediastream:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
