import { describe, expect, it } from 'vitest';
import { windowOptions } from './window';

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
