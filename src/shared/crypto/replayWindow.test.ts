import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './replayWindow';

function receive(window: ReplayWindow, ctr: number): boolean {
  if (!window.check(ctr)) return false;
  window.accept(ctr);
  return true;
}

describe('ReplayWindow', () => {
  it('accepts each counter once, in any order within the window', () => {
    const window = new ReplayWindow();
    expect([0, 2, 1, 5, 3, 4].map((ctr) => receive(window, ctr))).toEqual([true, true, true, true, true, true]);
    expect([0, 1, 2, 3, 4, 5].map((ctr) => receive(window, ctr))).toEqual([false, false, false, false, false, false]);
  });

  it('refuses counters older than the window and accepts the oldest still inside', () => {
    const window = new ReplayWindow();
    receive(window, 5000);
    expect(window.check(5000 - ReplayWindow.SIZE)).toBe(false);
    expect(receive(window, 5000 - ReplayWindow.SIZE + 1)).toBe(true);
    expect(receive(window, 5000 - ReplayWindow.SIZE + 1)).toBe(false);
  });

  it('forgets slots the window slides past, so counters a window apart do not collide', () => {
    const window = new ReplayWindow();
    for (let ctr = 0; ctr < 3 * ReplayWindow.SIZE; ctr++) expect(receive(window, ctr)).toBe(true);
    const skipped = 4 * ReplayWindow.SIZE;
    expect(receive(window, skipped + 10)).toBe(true);
    // Every counter in the new window except the one seen is still acceptable.
    expect(window.check(skipped + 9)).toBe(true);
    expect(window.check(skipped + 10 - ReplayWindow.SIZE + 1)).toBe(true);
  });

  it('keeps late frames acceptable after a small jump ahead', () => {
    const window = new ReplayWindow();
    receive(window, 10);
    receive(window, 300);
    expect(receive(window, 200)).toBe(true);
    expect(receive(window, 10)).toBe(false);
    expect(receive(window, 11)).toBe(true);
  });

  it('does not move until a frame is accepted', () => {
    const window = new ReplayWindow();
    receive(window, 1);
    expect(window.check(1_000_000)).toBe(true);
    expect(receive(window, 2)).toBe(true);
  });
});
