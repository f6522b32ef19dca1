// What the preload gives the page, built from the desktop contract without touching Electron, so it
// can be tested under Node: one named async method per channel (the channel name is the method
// name), host events checked against their schema, and each call's frame-key port passed on to the
// page. Nothing else crosses: no ipcRenderer, no generic send.
import { z } from 'zod';
import { desktopContract, HostEvent, KEY_PORT_MESSAGE, type DesktopCalls, type DesktopChannel, type PreloadApi } from '../shared/bridge';
import { CallId } from '../shared/protocol';
import { APP_ORIGIN } from '../shared/desktop/appOrigin';
import { HOST_EVENT_CHANNEL, ipcChannel } from '../shared/desktop/ipcChannels';

/** The part of Electron's ipcRenderer the preload uses. `P` is the page's MessagePort type. */
export interface PreloadIpc<P> {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: { ports: P[] }, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: { ports: P[] }, ...args: unknown[]) => void): unknown;
}

/** The page's window, as far as handing it a port goes. */
export interface PortRecipientWindow<P> {
  postMessage(message: unknown, targetOrigin: string, transfer: P[]): void;
}

export function createSoftphoneApi<P>(ipc: PreloadIpc<P>): PreloadApi {
  const call = (channel: DesktopChannel) => {
    const { result } = desktopContract[channel];
    return async (...args: unknown[]) => result.parse(await ipc.invoke(ipcChannel(channel), ...args));
  };
  // Each method is built from its channel's entry, so it has that channel's signature; TypeScript
  // cannot follow that through Object.fromEntries.
  const calls = Object.fromEntries((Object.keys(desktopContract) as DesktopChannel[]).map((channel) => [channel, call(channel)])) as DesktopCalls;

  return {
    ...calls,
    onEvent(listener) {
      const forward = (_event: { ports: P[] }, payload: unknown) => {
        const event = HostEvent.safeParse(payload);
        if (event.success) listener(event.data);
        else console.warn('Dropped a host event that does not match the contract.');
      };
      ipc.on(HOST_EVENT_CHANNEL, forward);
      return () => {
        ipc.removeListener(HOST_EVENT_CHANNEL, forward);
      };
    },
  };
}

const KeyPortAnnouncement = z.object({ callId: CallId });

/**
 * Passes each call's frame-key port from main into the page as `{ type: KEY_PORT_MESSAGE, callId }`,
 * addressed to the app's origin only, so the port never reaches a page that is not the app.
 */
export function forwardKeyPorts<P>(ipc: PreloadIpc<P>, page: PortRecipientWindow<P>): void {
  ipc.on(KEY_PORT_MESSAGE, (event, payload) => {
    const announcement = KeyPortAnnouncement.safeParse(payload);
    const [port] = event.ports;
    if (!announcement.success || port === undefined || event.ports.length !== 1) {
      console.warn('Dropped a malformed key-port message.');
      return;
    }
    page.postMessage({ type: KEY_PORT_MESSAGE, callId: announcement.data.callId }, APP_ORIGIN, [port]);
  });
}
