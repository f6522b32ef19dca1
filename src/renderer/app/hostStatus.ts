// Tells the host what the app is doing, so the desktop can show it: presence in the tray, a
// notification while a call rings, the global mute shortcut during a call (see `app.status` in
// shared/bridge.ts). Derived from the app store and sent whenever it changes.
import type { HostBridge } from '../host/bridge';
import { useAppStore, type AppState } from '../store/appStore';
import type { AppStatus } from '../../shared/bridge';

/** The status the host should show for this state of the app. */
export function appStatusOf(state: Pick<AppState, 'call' | 'doNotDisturb'>): AppStatus {
  const { call } = state;
  const incomingCall = call?.phase === 'incoming' ? { callId: call.callId, from: call.peer, video: call.video } : null;
  // A call being dialed, ringing out, connecting or under way; not one still ringing here or
  // waiting for the user to accept a changed key.
  const inCall = call !== null && call.phase !== 'incoming' && call.phase !== 'confirm-key-change';
  return { presence: inCall ? 'in-call' : state.doNotDisturb ? 'dnd' : 'available', incomingCall };
}

function sameStatus(a: AppStatus, b: AppStatus): boolean {
  return a.presence === b.presence && a.incomingCall?.callId === b.incomingCall?.callId;
}

/** Sends the status now and after every change that alters it; returns the function that stops. */
export function reportStatusToHost(host: Pick<HostBridge, 'calls'>): () => void {
  let sent = appStatusOf(useAppStore.getState());
  const send = (status: AppStatus) =>
    host.calls['app.status'](status).catch((error: unknown) =>
      console.warn('Could not report the app status to the host:', error instanceof Error ? error.message : error),
    );
  void send(sent);
  return useAppStore.subscribe((state) => {
    const next = appStatusOf(state);
    if (sameStatus(next, sent)) return;
    sent = next;
    void send(next);
  });
}
