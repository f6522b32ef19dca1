import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryFolder } from './testing/fakeSecretStorage';
import { placeWindow, readWindowState, saveWindowState, WINDOW_STATE_FILE } from './windowState';

const laptop = { x: 0, y: 0, width: 1440, height: 870 };
const rightMonitor = { x: 1440, y: 0, width: 1920, height: 1050 };

describe('placeWindow', () => {
  it('reuses a placement that is on a screen', () => {
    const saved = { x: 1600, y: 100, width: 480, height: 760, maximized: false };
    expect(placeWindow(saved, [laptop, rightMonitor])).toEqual(saved);
  });

  it('centers a window whose screen is gone on the first screen, keeping its size', () => {
    const saved = { x: 1600, y: 100, width: 480, height: 760, maximized: true };
    expect(placeWindow(saved, [laptop])).toEqual({ x: 480, y: 55, width: 480, height: 760, maximized: true });
    expect(placeWindow(saved, [{ ...laptop, x: -1440, y: 20 }])).toEqual({ x: -960, y: 75, width: 480, height: 760, maximized: true });
  });

  it('shrinks a window whose screen is gone to fit the first screen, centered there', () => {
    const saved = { x: 5000, y: 0, width: 3000, height: 2000, maximized: false };
    const small = { x: 0, y: 0, width: 1366, height: 768 };
    expect(placeWindow(saved, [small, laptop])).toEqual({ x: 0, y: 0, width: 1366, height: 768, maximized: false });
  });

  it('centers a window only a sliver of which would show', () => {
    expect(placeWindow({ x: 1400, y: 100, width: 480, height: 760, maximized: false }, [laptop])).toEqual({
      x: 480,
      y: 55,
      width: 480,
      height: 760,
      maximized: false,
    });
  });

  it('shrinks a window larger than its screen', () => {
    expect(placeWindow({ x: 0, y: 0, width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 870,
      maximized: false,
    });
  });

  it.each([null, 'x', { x: 0, y: 0, width: 10, height: 10, maximized: false }, { x: 0.5, y: 0, width: 500, height: 700, maximized: false }])(
    'falls back to the default size for %j',
    (saved) => {
      expect(placeWindow(saved, [laptop])).toEqual({ width: 420, height: 720, maximized: false });
    },
  );
});

describe('window state file', () => {
  let folder: Awaited<ReturnType<typeof temporaryFolder>>;
  beforeEach(async () => {
    folder = await temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('saves and reads the placement, and ignores a broken file', async () => {
    const path = join(folder.dir, WINDOW_STATE_FILE);
    expect(await readWindowState(path)).toBeNull();
    await saveWindowState(path, { x: 5, y: 6, width: 400, height: 600, maximized: false });
    expect(await readWindowState(path)).toEqual({ x: 5, y: 6, width: 400, height: 600, maximized: false });
    await writeFile(path, '{');
    expect(await readWindowState(path)).toBeNull();
  });

  it('refuses to save nonsense', async () => {
    const path = join(folder.dir, WINDOW_STATE_FILE);
    await expect(saveWindowState(path, { x: 0, y: 0, width: -1, height: 600, maximized: false })).rejects.toThrow();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });
});
