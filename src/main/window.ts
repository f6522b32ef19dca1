// The one factory for the app's window: the secure web preferences in one place, the app loaded
// from app://, its placement restored and saved. Electron's classes are passed in, so this module
// never loads Electron by itself.
import type { BrowserWindow, BrowserWindowConstructorOptions, Screen } from 'electron';
import { APP_ENTRY_URL } from '../shared/desktop/appOrigin';
import { MIN_WINDOW_SIZE, placeWindow, readWindowState, saveWindowState, type WindowPlacement } from './windowState';

export interface WindowOptionsInput {
  preloadPath: string;
  placement: WindowPlacement;
  /** Developer tools, for unpackaged builds only. */
  devTools: boolean;
}

export function windowOptions({ preloadPath, placement, devTools }: WindowOptionsInput): BrowserWindowConstructorOptions {
  const { maximized: _maximized, ...bounds } = placement;
  return {
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Softphone',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools,
      // A ringing call must sound without a click, and a call in the background must keep its timers.
      autoplayPolicy: 'no-user-gesture-required',
      backgroundThrottling: false,
    },
  };
}

export interface MainWindowDependencies {
  BrowserWindow: typeof BrowserWindow;
  screen: Pick<Screen, 'getAllDisplays' | 'getPrimaryDisplay'>;
  preloadPath: string;
  /** The JSON file that remembers the window's placement. */
  statePath: string;
  devTools: boolean;
  /** Given the placement's save when the window closes, so quitting can wait for it (quitGate.ts). */
  trackSave: (saving: Promise<void>) => void;
}

/** Creates the window, restores its placement, remembers it on close, and loads the app. */
export async function createMainWindow(deps: MainWindowDependencies): Promise<BrowserWindow> {
  // The primary screen first: a window whose screen is gone opens there.
  const primary = deps.screen.getPrimaryDisplay();
  const workAreas = [primary, ...deps.screen.getAllDisplays().filter((display) => display.id !== primary.id)].map((display) => display.workArea);
  const placement = placeWindow(await readWindowState(deps.statePath), workAreas);
  const window = new deps.BrowserWindow(windowOptions({ preloadPath: deps.preloadPath, placement, devTools: deps.devTools }));
  if (placement.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const bounds = window.getNormalBounds();
    const saving = saveWindowState(deps.statePath, { ...bounds, maximized: window.isMaximized() }).catch((error: unknown) => {
      console.warn('Could not save the window placement:', error instanceof Error ? error.message : error);
    });
    deps.trackSave(saving);
  });
  await window.loadURL(APP_ENTRY_URL);
  return window;
}
