// The host inside the desktop app: Electron main behind the preload's `window.softphone`.
// Frame-key ports arrive as window messages posted by the preload, one per call.
import type { HostBridge } from './bridge';
import { DEFAULT_SERVER_URL, KEY_PORT_MESSAGE, type PreloadApi } from '../../shared/bridge';
import { CallId } from '../../shared/protocol';
import { unencryptedServerProblem } from '../../shared/settings';

declare global {
  interface Window {
    /** Present only inside the desktop app. */
    softphone?: PreloadApi;
  }
}

export function createElectronHost(api: PreloadApi): HostBridge {
  const arrived = new Map<CallId, MessagePort>();
  const waiting = new Map<CallId, (port: MessagePort) => void>();

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const data = event.data as { type?: unknown; callId?: unknown } | null;
    const callId = CallId.safeParse(data?.callId);
    const port = event.ports[0];
    if (data?.type !== KEY_PORT_MESSAGE || !callId.success || !port) return;
    // Main keeps one call at a time: a port for a new call means the others are over. Their ports
    // and waiters would otherwise stay here for good (a call can end before it asks, or before
    // main sends one).
    for (const [other, unused] of arrived) {
      if (other === callId.data) continue;
      unused.close();
      arrived.delete(other);
    }
    for (const other of waiting.keys()) if (other !== callId.data) waiting.delete(other);
    const waiter = waiting.get(callId.data);
    waiting.delete(callId.data);
    if (waiter) waiter(port);
    else arrived.set(callId.data, port);
  });

  const { onEvent, ...calls } = api;
  return {
    kind: 'electron',
    calls,
    onEvent: (listener) => onEvent(listener),
    keyPort(callId) {
      const port = arrived.get(callId);
      arrived.delete(callId);
      return port ? Promise.resolve(port) : new Promise((resolve) => waiting.set(callId, resolve));
    },
    async serverUrl() {
      const { settings } = await api['settings.get']();
      const url = settings.serverUrl ?? DEFAULT_SERVER_URL;
      // Main's network filter refuses it too; this says why.
      const problem = unencryptedServerProblem(url, settings.unencryptedServerConfirmed);
      if (problem) throw new Error(problem);
      return url;
    },
  };
}
