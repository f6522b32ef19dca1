// The tray icon's menu: bring the window back, mute or unmute the call, quit.
import type { MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  show: () => void;
  toggleMute: () => void;
  quit: () => void;
}

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Show Softphone', click: actions.show },
    { label: 'Mute or Unmute', click: actions.toggleMute },
    { type: 'separator' },
    { label: 'Quit Softphone', click: actions.quit },
  ];
}
