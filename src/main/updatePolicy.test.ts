import { describe, expect, it } from 'vitest';
import { CHECK_INTERVAL_MS, FIRST_CHECK_DELAY_MS, INSTALL_UNATTENDED_AFTER_MS, updateDecision, type UpdateConditions } from './updatePolicy';

const START = 1_000_000;
const base: UpdateConditions = {
  packaged: true,
  automaticUpdates: true,
  inCall: false,
  windowVisible: true,
  now: START + FIRST_CHECK_DELAY_MS,
  startedAt: START,
  lastCheckAt: null,
  available: null,
  downloadedAt: null,
};
const at = (changes: Partial<UpdateConditions>) => updateDecision({ ...base, ...changes });

describe('updateDecision', () => {
  it('does nothing in a development run, even with an update waiting', () => {
    expect(at({ packaged: false, available: '1.2.0', downloadedAt: START, windowVisible: false, now: START + 2 * INSTALL_UNATTENDED_AFTER_MS })).toEqual({
      check: false,
      download: false,
      installNow: false,
      installAtQuit: false,
      off: 'not a packaged app (development run)',
    });
  });

  it('does nothing when automatic updates are off, not even installing at quit what was downloaded before', () => {
    expect(at({ automaticUpdates: false, available: '1.2.0' })).toMatchObject({
      check: false,
      download: false,
      installAtQuit: false,
      off: expect.stringMatching(/turned off/),
    });
    expect(at({ automaticUpdates: false, downloadedAt: START })).toMatchObject({ installNow: false, installAtQuit: false });
  });

  it('checks a minute after start, then every six hours', () => {
    expect(at({ now: START + FIRST_CHECK_DELAY_MS - 1 }).check).toBe(false);
    expect(at({ now: START + FIRST_CHECK_DELAY_MS }).check).toBe(true);
    const last = START + FIRST_CHECK_DELAY_MS;
    expect(at({ lastCheckAt: last, now: last + CHECK_INTERVAL_MS - 1 }).check).toBe(false);
    expect(at({ lastCheckAt: last, now: last + CHECK_INTERVAL_MS }).check).toBe(true);
  });

  it('checks during a call (a small request) but downloads only when no call is on', () => {
    expect(at({ inCall: true }).check).toBe(true);
    expect(at({ inCall: true, available: '1.2.0' })).toMatchObject({ check: false, download: false });
    expect(at({ inCall: false, available: '1.2.0' })).toMatchObject({ check: false, download: true });
  });

  it('installs a downloaded update at quit, and checks and downloads no more', () => {
    expect(at({ downloadedAt: START, now: START + CHECK_INTERVAL_MS * 2 })).toEqual({
      check: false,
      download: false,
      installNow: false,
      installAtQuit: true,
      off: null,
    });
  });

  it('installs without a quit only after a day, with the window hidden and no call on', () => {
    const aDayLater = { downloadedAt: START, now: START + INSTALL_UNATTENDED_AFTER_MS, windowVisible: false };
    expect(at(aDayLater).installNow).toBe(true);
    expect(at({ ...aDayLater, now: aDayLater.now - 1 }).installNow).toBe(false);
    expect(at({ ...aDayLater, windowVisible: true }).installNow).toBe(false);
    expect(at({ ...aDayLater, inCall: true }).installNow).toBe(false);
  });
});
