// The main window's size and position, remembered between runs in a small JSON file. A stale or
// broken file only costs the placement, so it is ignored rather than kept aside.
import { z } from 'zod';
import { readTextIfExists, writeFileAtomic } from './atomicFile';

export const WINDOW_STATE_FILE = 'window-state.json';

export const MIN_WINDOW_SIZE = { width: 360, height: 560 } as const;
const DEFAULT_SIZE = { width: 420, height: 720 } as const;
/** How much of the window must stay on a screen for the saved position to be reused. */
const MIN_VISIBLE = { width: 120, height: 60 } as const;

const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(MIN_WINDOW_SIZE.width).max(16384),
  height: z.number().int().min(MIN_WINDOW_SIZE.height).max(16384),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where to open the window: no x/y means "let the system center it". */
export interface WindowPlacement {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/**
 * Reuses the saved placement when enough of it is on one of today's screens (a monitor may have
 * been unplugged), shrinking it to fit that screen. A saved placement on none of them keeps its
 * size, shrunk to fit the first work area (the primary screen's: createMainWindow lists it first),
 * and is centered there. Without a usable saved state: the default size, centered by the system.
 */
export function placeWindow(saved: unknown, workAreas: readonly Rectangle[]): WindowPlacement {
  const state = WindowState.safeParse(saved);
  if (!state.success) return { ...DEFAULT_SIZE, maximized: false };
  const { x, y, maximized } = state.data;
  const onScreen = workAreas.find((area) => {
    const visibleWidth = Math.min(x + state.data.width, area.x + area.width) - Math.max(x, area.x);
    const visibleHeight = Math.min(y + state.data.height, area.y + area.height) - Math.max(y, area.y);
    return visibleWidth >= MIN_VISIBLE.width && visibleHeight >= MIN_VISIBLE.height;
  });
  const screen = onScreen ?? workAreas[0];
  if (!screen) return { width: state.data.width, height: state.data.height, maximized };
  const width = Math.max(MIN_WINDOW_SIZE.width, Math.min(state.data.width, screen.width));
  const height = Math.max(MIN_WINDOW_SIZE.height, Math.min(state.data.height, screen.height));
  if (onScreen) return { x, y, width, height, maximized };
  const centeredX = screen.x + Math.round((screen.width - width) / 2);
  const centeredY = screen.y + Math.round((screen.height - height) / 2);
  return { x: centeredX, y: centeredY, width, height, maximized };
}

/** The saved state as found (unchecked: placeWindow checks it), or null. */
export async function readWindowState(path: string): Promise<unknown> {
  try {
    const text = await readTextIfExists(path);
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

export async function saveWindowState(path: string, state: WindowState): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(WindowState.parse(state))}\n`);
}
