// The incoming-call notification in a browser tab: shown with the browser's Notification API
// while the tab is in the background, if the user turned notifications on and the browser allows
// them. A page's notification cannot carry buttons (that takes a service worker), so clicking it
// brings the tab forward, where the call's own Accept and Decline are.
import type { AppStatus } from '../../shared/bridge';
import { notificationStep } from '../../shared/incomingCallNotice';

export class WebCallNotifier {
  private incoming: AppStatus['incomingCall'] = null;
  private shown: Notification | null = null;

  constructor(private readonly notificationsOn: () => boolean) {}

  update(status: AppStatus): void {
    const allowed = typeof Notification !== 'undefined' && Notification.permission === 'granted';
    const step = notificationStep(this.incoming, status.incomingCall, {
      notificationsOn: this.notificationsOn() && allowed,
      windowFocused: document.visibilityState === 'visible' && document.hasFocus(),
    });
    this.incoming = status.incomingCall;
    if (step.kind === 'none') return;
    this.shown?.close();
    this.shown = null;
    if (step.kind !== 'show') return;
    const notification = new Notification(step.notice.title, { body: step.notice.body, tag: step.notice.callId, requireInteraction: true });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
    this.shown = notification;
  }
}
