// The renderer's view of its host. The same interface is implemented by the Electron preload
// (window.softphone, with main behind it) and by the web host that runs in a plain browser.
import type { DesktopCalls, HostEvent, WebCalls } from '../../shared/bridge';
import type { CallId } from '../../shared/protocol';

/**
 * 'electron' behind the preload, 'web' in a browser. Both answer the shared channels; they differ
 * in identity backup (main's own dialogs in the desktop app, the page's form in the web client).
 */
export type HostBridge =
  (HostBase & { readonly kind: 'electron'; readonly calls: DesktopCalls }) | (HostBase & { readonly kind: 'web'; readonly calls: WebCalls });

interface HostBase {
  /** Subscribes to host events (tray, notifications, deep links, shortcuts); returns the unsubscribe. */
  onEvent(listener: (event: HostEvent) => void): () => void;
  /**
   * The port on which the host delivers this call's frame keys once the handshake completes.
   * The renderer hands it to the encryption worker without reading it.
   */
  keyPort(callId: CallId): Promise<MessagePort>;
  /** The signaling server's WebSocket URL for this host. */
  serverUrl(): Promise<string>;
}
