// The desktop around the window: the tray icon with the app's status, the native notification for
// an incoming call (Accept / Decline raise the same host events as the app's own buttons), and the
// global mute shortcut while a call is in progress. Electron's Tray, Menu, Notification and
// globalShortcut come in through the options, so this runs under Node in the tests with fakes;
// every decision is in desktopStatus.ts and shared/incomingCallNotice.ts.
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import type { AppStatus, HostEvent } from '../shared/bridge';
import { notificationActionEvent, notificationStep, type IncomingCallNotice } from '../shared/incomingCallNotice';
import { IDLE_STATUS, MUTE_SHORTCUT, trayAppearance, wantsMuteShortcut, type Presence } from './desktopStatus';
import { trayMenuTemplate } from './tray';

/** The part of Electron's Tray the shell uses. */
export interface ShellTray<M> {
  setImage(path: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** The part of Electron's Notification the shell uses. */
export interface ShellNotification {
  show(): void;
  close(): void;
  on(event: 'action', listener: (details: { actionIndex: number }) => void): unknown;
  on(event: 'click', listener: () => void): unknown;
}

export interface DesktopShellOptions<M> {
  /** Throws where the desktop has no tray; the app then runs without one. */
  createTray(iconPath: string): ShellTray<M>;
  buildMenu(template: MenuItemConstructorOptions[]): M;
  /** Null where the system has no notifications. */
  createNotification: ((options: NotificationConstructorOptions) => ShellNotification) | null;
  shortcuts: { register(accelerator: string, callback: () => void): boolean; unregister(accelerator: string): void };
  /** The path of a tray icon file (trayAppearance(…).icon). */
  trayIconPath(file: string): string;
  showWindow(): void;
  windowFocused(): boolean;
  notificationsOn(): boolean;
  sendHostEvent(event: HostEvent): void;
  quit(): void;
  warn(message: string): void;
}

export class DesktopShell<M> {
  private status: AppStatus = IDLE_STATUS;
  private readonly tray: ShellTray<M> | null;
  private shown: { notice: IncomingCallNotice; notification: ShellNotification } | null = null;
  /** 'refused': another application holds the shortcut; tried again at the next call. */
  private shortcut: 'off' | 'on' | 'refused' = 'off';

  constructor(private readonly options: DesktopShellOptions<M>) {
    this.tray = this.openTray();
  }

  /** The renderer's latest status (or IDLE_STATUS when the page is gone). */
  setStatus(status: AppStatus): void {
    const previous = this.status;
    this.status = status;
    if (previous.presence !== status.presence) this.showPresence();
    this.updateNotification(previous.incomingCall, status.incomingCall);
    this.updateShortcut();
  }

  /** Before quitting: the shortcut goes back to the system, the notification and the tray icon go away. */
  dispose(): void {
    this.setStatus(IDLE_STATUS);
    this.tray?.destroy();
  }

  private openTray(): ShellTray<M> | null {
    const { presence } = this.status;
    let tray: ShellTray<M>;
    try {
      tray = this.options.createTray(this.options.trayIconPath(trayAppearance(presence).icon));
    } catch (error) {
      this.options.warn(`No tray icon on this desktop: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    tray.on('click', () => this.options.showWindow());
    this.decorateTray(tray, presence);
    return tray;
  }

  private showPresence(): void {
    if (!this.tray) return;
    this.tray.setImage(this.options.trayIconPath(trayAppearance(this.status.presence).icon));
    this.decorateTray(this.tray, this.status.presence);
  }

  private decorateTray(tray: ShellTray<M>, presence: Presence): void {
    const { options } = this;
    tray.setToolTip(`Softphone — ${trayAppearance(presence).label}`);
    tray.setContextMenu(
      options.buildMenu(
        trayMenuTemplate(
          { show: () => options.showWindow(), toggleMute: () => options.sendHostEvent({ type: 'toggle-mute' }), quit: () => options.quit() },
          presence,
        ),
      ),
    );
  }

  private updateNotification(previous: AppStatus['incomingCall'], next: AppStatus['incomingCall']): void {
    const step = notificationStep(previous, next, { notificationsOn: this.options.notificationsOn(), windowFocused: this.options.windowFocused() });
    if (step.kind === 'none') return;
    this.shown?.notification.close();
    this.shown = null;
    if (step.kind === 'show' && this.options.createNotification) this.notify(step.notice, this.options.createNotification);
  }

  private notify(notice: IncomingCallNotice, create: NonNullable<DesktopShellOptions<M>['createNotification']>): void {
    const notification = create({
      title: notice.title,
      body: notice.body,
      actions: notice.actions.map((text) => ({ type: 'button', text })),
      // The app rings on its own, on the speaker the user chose.
      silent: true,
      urgency: 'critical',
      timeoutType: 'never',
    });
    notification.on('action', ({ actionIndex }) => {
      const event = notificationActionEvent(notice, actionIndex);
      if (!event) return;
      if (event.type === 'accept-call') this.options.showWindow();
      this.options.sendHostEvent(event);
    });
    notification.on('click', () => this.options.showWindow());
    notification.show();
    this.shown = { notice, notification };
  }

  private updateShortcut(): void {
    const wanted = wantsMuteShortcut(this.status);
    if (!wanted) {
      if (this.shortcut === 'on') this.options.shortcuts.unregister(MUTE_SHORTCUT);
      this.shortcut = 'off';
    } else if (this.shortcut === 'off') {
      const registered = this.options.shortcuts.register(MUTE_SHORTCUT, () => this.options.sendHostEvent({ type: 'toggle-mute' }));
      this.shortcut = registered ? 'on' : 'refused';
      if (!registered) this.options.warn(`The mute shortcut ${MUTE_SHORTCUT} is taken by another application.`);
    }
  }
}
