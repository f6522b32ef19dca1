// Names on the wire between main and the preload. No Node or Electron imports: the sandboxed
// preload bundles this module too.
import type { DesktopChannel } from '../bridge';

/** The IPC channel of a bridge channel. */
export function ipcChannel(channel: DesktopChannel): `softphone:${DesktopChannel}` {
  return `softphone:${channel}`;
}

/** Main sends host events (HostEvent) to the window on this channel. */
export const HOST_EVENT_CHANNEL = 'softphone:host-event';
