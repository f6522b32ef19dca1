// The notification for an incoming call, as pure decisions both hosts use: Electron main shows it
// natively with Accept / Decline buttons, the web host with the browser's Notification API. It
// follows the status the renderer reports over the `app.status` bridge channel.
import type { AppStatus } from './bridge';

export type IncomingCall = NonNullable<AppStatus['incomingCall']>;

export interface IncomingCallNotice {
  callId: string;
  title: string;
  body: string;
  /** Button labels, in the order the notification's action index counts them. */
  actions: readonly ['Accept', 'Decline'];
}

/** What to do about the incoming-call notification when the status changes. */
export type NotificationStep = { kind: 'show'; notice: IncomingCallNotice } | { kind: 'close' } | { kind: 'none' };

export interface NotificationContext {
  /** The user's "notifications" setting. */
  notificationsOn: boolean;
  /** The app window has focus: its own incoming-call screen is in front of the user. */
  windowFocused: boolean;
}

/**
 * A new ringing call is announced with a notification, unless the user turned notifications off or
 * is looking at the app already; when the call stops ringing (answered, declined, ended, another
 * call), its notification goes away.
 */
export function notificationStep(previous: AppStatus['incomingCall'], next: AppStatus['incomingCall'], context: NotificationContext): NotificationStep {
  if (next && next.callId === previous?.callId) return { kind: 'none' };
  if (next && context.notificationsOn && !context.windowFocused) return { kind: 'show', notice: incomingCallNotice(next) };
  return previous ? { kind: 'close' } : { kind: 'none' };
}

export function incomingCallNotice(call: IncomingCall): IncomingCallNotice {
  return {
    callId: call.callId,
    title: call.video ? 'Incoming video call' : 'Incoming call',
    body: `${call.from} is calling you.`,
    actions: ['Accept', 'Decline'],
  };
}

/** The host event a notification action raises: index 0 accepts, 1 declines; anything else does nothing. */
export function notificationActionEvent(notice: IncomingCallNotice, actionIndex: number): { type: 'accept-call' | 'decline-call'; callId: string } | null {
  if (actionIndex === 0) return { type: 'accept-call', callId: notice.callId };
  if (actionIndex === 1) return { type: 'decline-call', callId: notice.callId };
  return null;
}
