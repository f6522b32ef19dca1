import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { AppStatus, HostEvent } from '../shared/bridge';
import { DesktopShell, type DesktopShellOptions, type ShellNotification, type ShellTray } from './desktopShell';
import { MUTE_SHORTCUT } from './desktopStatus';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const ICONS = { available: '/icons/tray.png', 'in-call': '/icons/tray-in-call.png', dnd: '/icons/tray-dnd.png' } as const;
const trayIconPath = (file: string) => `/icons/${file}`;

class FakeTray extends EventEmitter implements ShellTray<MenuItemConstructorOptions[]> {
  image: string;
  tooltip = '';
  menu: MenuItemConstructorOptions[] = [];
  destroyed = false;
  constructor(image: string) {
    super();
    this.image = image;
  }
  setImage(path: string) {
    this.image = path;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setContextMenu(menu: MenuItemConstructorOptions[]) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
}

class FakeNotification extends EventEmitter implements ShellNotification {
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
  }
}

function setup(overrides: Partial<DesktopShellOptions<MenuItemConstructorOptions[]>> = {}) {
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const shortcuts = new Map<string, () => void>();
  const events: HostEvent[] = [];
  const context = { notificationsOn: true, windowFocused: false, shortcutFree: true };
  const options: DesktopShellOptions<MenuItemConstructorOptions[]> = {
    createTray: (icon) => {
      const tray = new FakeTray(icon);
      trays.push(tray);
      return tray;
    },
    buildMenu: (template) => template,
    createNotification: (notificationOptions) => {
      const notification = new FakeNotification(notificationOptions);
      notifications.push(notification);
      return notification;
    },
    shortcuts: {
      register: vi.fn((accelerator: string, callback: () => void) => {
        if (!context.shortcutFree) return false;
        shortcuts.set(accelerator, callback);
        return true;
      }),
      unregister: vi.fn((accelerator: string) => void shortcuts.delete(accelerator)),
    },
    trayIconPath,
    showWindow: vi.fn(),
    windowFocused: () => context.windowFocused,
    notificationsOn: () => context.notificationsOn,
    sendHostEvent: (event) => events.push(event),
    quit: vi.fn(),
    warn: vi.fn(),
    ...overrides,
  };
  const shell = new DesktopShell(options);
  return { shell, options, trays, notifications, shortcuts, events, context };
}

const status = (presence: AppStatus['presence'], ringing = false): AppStatus => ({
  presence,
  incomingCall: ringing ? { callId: CALL_ID, from: 'bob', video: false } : null,
});

describe('DesktopShell: tray', () => {
  it('starts available, and the tray icon brings the window back', () => {
    const { trays, options } = setup();
    const [tray] = trays;
    expect(tray?.image).toBe(ICONS.available);
    expect(tray?.tooltip).toBe('Softphone — Available');
    expect(tray?.menu[0]?.label).toBe('Available');
    tray?.emit('click');
    expect(options.showWindow).toHaveBeenCalled();
  });

  it('follows the status: in a call, do not disturb, available again', () => {
    const { shell, trays } = setup();
    const tray = trays[0]!;
    shell.setStatus(status('in-call'));
    expect([tray.image, tray.tooltip, tray.menu[0]?.label]).toEqual([ICONS['in-call'], 'Softphone — In a call', 'In a call']);
    shell.setStatus(status('dnd'));
    expect([tray.image, tray.tooltip]).toEqual([ICONS.dnd, 'Softphone — Do not disturb']);
    shell.setStatus(status('available'));
    expect(tray.image).toBe(ICONS.available);
  });

  it('wires the menu to the window, the mute toggle and quitting', () => {
    const { shell, trays, events, options } = setup();
    shell.setStatus(status('in-call'));
    const menu = trays[0]!.menu;
    const click = (label: string) => (menu.find((item) => item.label === label)?.click as () => void)();
    click('Show Softphone');
    click('Mute or Unmute');
    click('Quit Softphone');
    expect(options.showWindow).toHaveBeenCalled();
    expect(events).toEqual([{ type: 'toggle-mute' }]);
    expect(options.quit).toHaveBeenCalled();
  });

  it('runs without a tray where the desktop has none, and says so', () => {
    const { shell, options } = setup({
      createTray: () => {
        throw new Error('no status notifier');
      },
    });
    expect(options.warn).toHaveBeenCalledWith('No tray icon on this desktop: no status notifier');
    expect(() => shell.setStatus(status('in-call'))).not.toThrow();
  });
});

describe('DesktopShell: incoming-call notification', () => {
  it('announces a ringing call with Accept and Decline, silently (the app rings itself)', () => {
    const { shell, notifications } = setup();
    shell.setStatus(status('available', true));
    const [notification] = notifications;
    expect(notification?.shown).toBe(true);
    expect(notification?.options).toMatchObject({
      title: 'Incoming call',
      body: 'bob is calling you.',
      actions: [
        { type: 'button', text: 'Accept' },
        { type: 'button', text: 'Decline' },
      ],
      silent: true,
    });
  });

  it('Accept brings the window up and accepts the call; Decline declines it', () => {
    const { shell, notifications, events, options } = setup();
    shell.setStatus(status('available', true));
    notifications[0]!.emit('action', { actionIndex: 0 });
    expect(options.showWindow).toHaveBeenCalledOnce();
    notifications[0]!.emit('action', { actionIndex: 1 });
    expect(events).toEqual([
      { type: 'accept-call', callId: CALL_ID },
      { type: 'decline-call', callId: CALL_ID },
    ]);
    expect(options.showWindow).toHaveBeenCalledOnce();
  });

  it('clicking the notification itself brings the window up', () => {
    const { shell, notifications, options, events } = setup();
    shell.setStatus(status('available', true));
    notifications[0]!.emit('click');
    expect(options.showWindow).toHaveBeenCalled();
    expect(events).toEqual([]);
  });

  it('closes the notification once the call stops ringing, and shows it once per call', () => {
    const { shell, notifications } = setup();
    shell.setStatus(status('available', true));
    shell.setStatus(status('available', true));
    expect(notifications).toHaveLength(1);
    shell.setStatus(status('in-call'));
    expect(notifications[0]?.closed).toBe(true);
  });

  it('shows nothing when notifications are off, the window is in front, or the system has none', () => {
    const off = setup();
    off.context.notificationsOn = false;
    off.shell.setStatus(status('available', true));
    expect(off.notifications).toHaveLength(0);

    const focused = setup();
    focused.context.windowFocused = true;
    focused.shell.setStatus(status('available', true));
    expect(focused.notifications).toHaveLength(0);

    const unsupported = setup({ createNotification: null });
    expect(() => unsupported.shell.setStatus(status('available', true))).not.toThrow();
  });
});

describe('DesktopShell: mute shortcut', () => {
  it('holds the global shortcut only during a call, and it toggles mute', () => {
    const { shell, shortcuts, events } = setup();
    expect(shortcuts.size).toBe(0);
    shell.setStatus(status('in-call'));
    shortcuts.get(MUTE_SHORTCUT)?.();
    expect(events).toEqual([{ type: 'toggle-mute' }]);
    shell.setStatus(status('available'));
    expect(shortcuts.size).toBe(0);
  });

  it('registers once per call, however often the status repeats', () => {
    const { shell, options } = setup();
    shell.setStatus(status('in-call'));
    shell.setStatus(status('in-call'));
    expect(options.shortcuts.register).toHaveBeenCalledOnce();
  });

  it('warns once when another application holds the shortcut, and tries again at the next call', () => {
    const { shell, options, context, shortcuts } = setup();
    context.shortcutFree = false;
    shell.setStatus(status('in-call'));
    shell.setStatus(status('in-call'));
    expect(options.warn).toHaveBeenCalledOnce();
    expect(options.shortcuts.unregister).not.toHaveBeenCalled();

    shell.setStatus(status('available'));
    expect(options.shortcuts.unregister).not.toHaveBeenCalled();
    context.shortcutFree = true;
    shell.setStatus(status('in-call'));
    expect(shortcuts.has(MUTE_SHORTCUT)).toBe(true);
  });

  it('gives everything back on quit', () => {
    const { shell, shortcuts, notifications, trays } = setup();
    shell.setStatus(status('in-call'));
    shell.setStatus({ ...status('in-call'), incomingCall: { callId: CALL_ID, from: 'carol', video: true } });
    shell.dispose();
    expect(shortcuts.size).toBe(0);
    expect(notifications[0]?.closed).toBe(true);
    expect(trays[0]?.destroyed).toBe(true);
  });
});
