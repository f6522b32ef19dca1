import { describe, expect, it, vi } from 'vitest';
import { MUTE_SHORTCUT } from './desktopStatus';
import { trayMenuTemplate } from './tray';

describe('trayMenuTemplate', () => {
  const actions = { show: vi.fn(), toggleMute: vi.fn(), quit: vi.fn() };

  it('shows the status, then show, mute and quit, each wired to its action', () => {
    const menu = trayMenuTemplate(actions, 'available');

    expect(menu.map((item) => item.label ?? item.type)).toEqual(['Available', 'separator', 'Show Softphone', 'Mute or Unmute', 'separator', 'Quit Softphone']);
    expect(menu[0]?.enabled).toBe(false);
    expect(menu.map((item) => item.click)).toEqual([undefined, undefined, actions.show, actions.toggleMute, undefined, actions.quit]);
  });

  it.each([
    ['available', 'Available', false],
    ['in-call', 'In a call', true],
    ['dnd', 'Do not disturb', false],
  ] as const)('while %s says “%s” and offers mute only in a call', (presence, label, canMute) => {
    const menu = trayMenuTemplate(actions, presence);
    const mute = menu.find((item) => item.label === 'Mute or Unmute');

    expect(menu[0]?.label).toBe(label);
    expect(mute?.enabled).toBe(canMute);
    expect(mute).toMatchObject({ accelerator: MUTE_SHORTCUT, registerAccelerator: false });
  });
});
