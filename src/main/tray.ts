// The tray icon's menu: the app's status, bring the window back, mute or unmute the call, quit.
import type { MenuItemConstructorOptions } from 'electron';
import { MUTE_SHORTCUT, trayAppearance, type Presence } from './desktopStatus';

export interface TrayActions {
  show: () => void;
  toggleMute: () => void;
  quit: () => void;
}

export function trayMenuTemplate(actions: TrayActions, presence: Presence): MenuItemConstructorOptions[] {
  return [
    { label: trayAppearance(presence).label, enabled: false },
    { type: 'separator' },
    { label: 'Show Softphone', click: actions.show },
    { label: 'Mute or Unmute', click: actions.toggleMute, enabled: presence === 'in-call', accelerator: MUTE_SHORTCUT, registerAccelerator: false },
    { type: 'separator' },
    { label: 'Quit Softphone', click: actions.quit },
  ];
}
