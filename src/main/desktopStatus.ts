// What the desktop shows of the app's status, as pure decisions: the tray icon and its text, and
// when the global mute shortcut is registered (the incoming-call notification's decisions are in
// shared/incomingCallNotice.ts, which the web host uses too). The renderer reports its status over
// the `app.status` bridge channel; desktopShell.ts applies these with Electron's Tray and
// globalShortcut.
import type { AppStatus } from '../shared/bridge';

export type Presence = AppStatus['presence'];

/**
 * The app's id: electron-builder.yml's appId (packaging.test.ts checks they match), and on Windows
 * the AppUserModelID its notifications are shown under.
 */
export const APP_ID = 'org.softphone.app';

/** Before the page reports anything, and after it reloads or crashes: nothing going on. */
export const IDLE_STATUS: AppStatus = Object.freeze({ presence: 'available', incomingCall: null });

/** Mutes and unmutes the microphone from anywhere while a call is in progress. */
export const MUTE_SHORTCUT = 'CommandOrControl+Shift+M';

export interface TrayAppearance {
  /** The tray icon's file in assets/ (and dist/assets/), with a @2x twin for dense screens. */
  icon: string;
  /** The tooltip, and the status line at the top of the tray menu. */
  label: string;
}

const TRAY: Record<Presence, TrayAppearance> = {
  available: { icon: 'tray.png', label: 'Available' },
  'in-call': { icon: 'tray-in-call.png', label: 'In a call' },
  dnd: { icon: 'tray-dnd.png', label: 'Do not disturb' },
};

export function trayAppearance(presence: Presence): TrayAppearance {
  return TRAY[presence];
}

/** The mute shortcut belongs to the app only while there is a call to mute. */
export function wantsMuteShortcut(status: AppStatus): boolean {
  return status.presence === 'in-call';
}
