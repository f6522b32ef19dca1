import { describe, expect, it, vi } from 'vitest';
import { trayMenuTemplate } from './tray';

describe('trayMenuTemplate', () => {
  it('offers show, mute and quit, each wired to its action', () => {
    const actions = { show: vi.fn(), toggleMute: vi.fn(), quit: vi.fn() };
    const menu = trayMenuTemplate(actions);

    expect(menu.map((item) => item.label ?? item.type)).toEqual(['Show Softphone', 'Mute or Unmute', 'separator', 'Quit Softphone']);
    expect(menu.map((item) => item.click)).toEqual([actions.show, actions.toggleMute, undefined, actions.quit]);
  });
});
