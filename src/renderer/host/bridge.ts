// The renderer's view of its host. The same interface is implemented by the Electron preload
// (window.softphone, with main behind it) and by the web host that runs in a plain browser.
import type { HostCalls, HostEvent } from '../../shared/bridge';
import type { CallId } from '../../shared/protocol';

export interface HostBridge {
  /** 'electron' behind the preload, 'web' in a browser. */
  readonly kind: 'electron' | 'web';
  readonly calls: HostCalls;
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
