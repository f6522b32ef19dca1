import { join } from 'node:path';
import type { BrowserWindow, BrowserWindowConstructorOptions, Display } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryFolder } from './testing/fakeSecretStorage';
import { createMainWindow, windowOptions } from './window';
import { readWindowState, WINDOW_STATE_FILE } from './windowState';

describe('windowOptions', () => {
  const options = windowOptions({
    preloadPath: '/app/dist/preload/index.cjs',
    placement: { x: 10, y: 20, width: 500, height: 700, maximized: true },
    devTools: false,
  });

  it('keeps the renderer sandboxed and isolated, without Node, webviews or insecure content', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
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
      devTools: false,
    });
  });

  it('opens hidden at the restored placement', () => {
    expect(options).toMatchObject({ x: 10, y: 20, width: 500, height: 700, show: false });
    expect(options).not.toHaveProperty('maximized');
  });

  it('lets the system center a window without a saved position', () => {
    const centered = windowOptions({ preloadPath: '/p.cjs', placement: { width: 420, height: 720, maximized: false }, devTools: true });
    expect(centered).not.toHaveProperty('x');
    expect(centered).not.toHaveProperty('y');
    expect(centered.webPreferences?.devTools).toBe(true);
  });
});

describe('createMainWindow', () => {
  /** Stands in for Electron's BrowserWindow: records its listeners and can be closed. */
  class FakeWindow {
    static last: FakeWindow | undefined;
    readonly listeners = new Map<string, () => void>();
    constructor(readonly options: BrowserWindowConstructorOptions) {
      FakeWindow.last = this;
    }
    on(event: string, listener: () => void) {
      this.listeners.set(event, listener);
    }
    once(event: string, listener: () => void) {
      this.listeners.set(event, listener);
    }
    maximize() {}
    show() {}
    isMaximized() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 500, height: 700 };
    }
    loadURL() {
      return Promise.resolve();
    }
  }

  let folder: Awaited<ReturnType<typeof temporaryFolder>>;
  beforeEach(async () => {
    folder = await temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('hands the placement save started on close to trackSave, which settles once the file is written', async () => {
    const statePath = join(folder.dir, WINDOW_STATE_FILE);
    const saves: Promise<void>[] = [];
    await createMainWindow({
      BrowserWindow: FakeWindow as unknown as typeof BrowserWindow,
      screen: { getAllDisplays: () => [], getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1366, height: 768 } }) as Display },
      preloadPath: '/p.cjs',
      statePath,
      devTools: false,
      trackSave: (saving) => saves.push(saving),
    });

    FakeWindow.last?.listeners.get('close')?.();
    expect(saves).toHaveLength(1);
    await saves[0];
    expect(await readWindowState(statePath)).toEqual({ x: 10, y: 20, width: 500, height: 700, maximized: false });
  });
});
