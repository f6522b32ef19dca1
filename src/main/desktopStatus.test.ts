import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trayAppearance, wantsMuteShortcut } from './desktopStatus';

const ringing = { callId: 'AAECAwQFBgcICQoLDA0ODw', from: 'bob', video: false };

describe('trayAppearance', () => {
  it.each([
    ['available', 'Available'],
    ['in-call', 'In a call'],
    ['dnd', 'Do not disturb'],
  ] as const)('shows %s with its own icon and says “%s”', (presence, label) => {
    expect(trayAppearance(presence).label).toBe(label);
  });

  it('has an icon in assets/ for every status, at 1× and 2×, that the build copies next to main', () => {
    const icons = (['available', 'in-call', 'dnd'] as const).map((presence) => trayAppearance(presence).icon);
    const build = readFileSync(fileURLToPath(new URL('../../scripts/build-electron.mjs', import.meta.url)), 'utf8');
    /** The build copies the files of assets/ that match this pattern. */
    const copiedByBuild = /^tray.*\.png$/;
    expect(build).toContain(`${String(copiedByBuild)}.test(name)`);
    expect(new Set(icons).size).toBe(3);
    for (const icon of icons) {
      for (const file of [icon, icon.replace('.png', '@2x.png')]) {
        expect(existsSync(fileURLToPath(new URL(`../../assets/${file}`, import.meta.url))), file).toBe(true);
        expect(file).toMatch(copiedByBuild);
      }
    }
  });
});

describe('wantsMuteShortcut', () => {
  it('holds the shortcut only while in a call', () => {
    expect(wantsMuteShortcut({ presence: 'in-call', incomingCall: null })).toBe(true);
    expect(wantsMuteShortcut({ presence: 'available', incomingCall: ringing })).toBe(false);
    expect(wantsMuteShortcut({ presence: 'dnd', incomingCall: null })).toBe(false);
  });
});
