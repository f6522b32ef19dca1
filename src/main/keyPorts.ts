// The per-call MessagePort that carries frame keys from main to the renderer's encryption worker.
// When a call is prepared, main creates a channel, keeps one end, and posts the other end to the
// app window as KEY_PORT_MESSAGE {callId}; the preload forwards it into the page. Frame keys then
// travel on that port only — never through IPC handlers, React state or logs.
import { FrameKeysMessage, KEY_PORT_MESSAGE } from '../shared/bridge';
import type { CallId } from '../shared/protocol';

/** The end main keeps (Electron's MessagePortMain). */
export interface KeySendingPort {
  postMessage(message: unknown): void;
  close(): void;
}

/** Where the other end goes: the app window's web contents. */
export interface KeyPortRecipient<P> {
  postMessage(channel: string, message: unknown, transfer: P[]): void;
}

export class KeyPortRegistry<P> {
  private readonly ports = new Map<CallId, KeySendingPort>();

  /** `createChannel` is `() => new MessageChannelMain()` in Electron. */
  constructor(private readonly createChannel: () => { port1: P & KeySendingPort; port2: P }) {}

  /**
   * Opens the call's key port and hands the far end to `recipient`. One call at a time, like the
   * call security engine: every port opened earlier — for this call or another — is closed first.
   */
  open(callId: CallId, recipient: KeyPortRecipient<P>): void {
    this.closeAll();
    const { port1, port2 } = this.createChannel();
    this.ports.set(callId, port1);
    recipient.postMessage(KEY_PORT_MESSAGE, { callId }, [port2]);
  }

  /** Sends a call's frame keys on its port. Keys for a call without a port are dropped (and said so). */
  deliver(keys: FrameKeysMessage): void {
    const message = FrameKeysMessage.parse(keys);
    const port = this.ports.get(message.callId);
    if (!port) {
      console.warn('Frame keys were dropped: the call has no key port (it ended or was never prepared).');
      return;
    }
    port.postMessage(message);
  }

  close(callId: CallId): void {
    this.ports.get(callId)?.close();
    this.ports.delete(callId);
  }

  /** Closes every port, when the window reloads or goes away. */
  closeAll(): void {
    for (const callId of [...this.ports.keys()]) this.close(callId);
  }
}
