import { describe, expect, it, vi } from 'vitest';
import { AutomaticUpdates, type AppConditions, type UpdaterPort } from './automaticUpdates';
import { FIRST_CHECK_DELAY_MS, INSTALL_UNATTENDED_AFTER_MS } from './updatePolicy';

const START = 5_000_000;

function setup(conditions: Partial<AppConditions> = {}) {
  const app: AppConditions = { packaged: true, automaticUpdates: true, inCall: false, windowVisible: true, ...conditions };
  const port = {
    check: vi.fn(async () => undefined),
    download: vi.fn(async () => undefined),
    setInstallAtQuit: vi.fn(),
    installNow: vi.fn(),
  } satisfies UpdaterPort;
  const log = vi.fn();
  const clock = { now: START };
  const updates = new AutomaticUpdates(
    port,
    () => app,
    log,
    () => clock.now,
  );
  const reviewAt = (now: number) => {
    clock.now = now;
    updates.review();
  };
  return { app, port, log, updates, reviewAt };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AutomaticUpdates', () => {
  it('checks once when due, downloads what it found when no call is on, then installs at quit', async () => {
    const { app, port, updates, reviewAt } = setup();
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    reviewAt(START + FIRST_CHECK_DELAY_MS + 1);
    expect(port.check).toHaveBeenCalledTimes(1);
    await settle();
    updates.found('1.2.0');
    app.inCall = true;
    reviewAt(START + FIRST_CHECK_DELAY_MS + 2);
    expect(port.download).not.toHaveBeenCalled();
    app.inCall = false;
    reviewAt(START + FIRST_CHECK_DELAY_MS + 3);
    expect(port.download).toHaveBeenCalledTimes(1);
    await settle();
    reviewAt(START + FIRST_CHECK_DELAY_MS + 4);
    expect(port.setInstallAtQuit).toHaveBeenLastCalledWith(true);
    expect(port.installNow).not.toHaveBeenCalled();
    // A day later, with the window hidden: restart into it without waiting for a quit.
    app.windowVisible = false;
    reviewAt(START + FIRST_CHECK_DELAY_MS + 3 + INSTALL_UNATTENDED_AFTER_MS);
    expect(port.installNow).toHaveBeenCalledTimes(1);
  });

  it('does nothing in a development run and says why once', () => {
    const { port, log, reviewAt } = setup({ packaged: false });
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    reviewAt(START + FIRST_CHECK_DELAY_MS * 2);
    expect(port.check).not.toHaveBeenCalled();
    expect(port.setInstallAtQuit).toHaveBeenLastCalledWith(false);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('development'));
  });

  it('stops installing at quit when the setting is turned off after a download', async () => {
    const { app, port, updates, reviewAt } = setup();
    updates.found('1.2.0');
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    await settle();
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    expect(port.setInstallAtQuit).toHaveBeenLastCalledWith(true);
    app.automaticUpdates = false;
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    expect(port.setInstallAtQuit).toHaveBeenLastCalledWith(false);
  });

  it('logs a failed download and does not retry it until the next check finds the release again', async () => {
    const { port, log, updates, reviewAt } = setup();
    port.download.mockRejectedValueOnce(new Error('sha512 checksum mismatch'));
    updates.found('1.2.0');
    reviewAt(START + FIRST_CHECK_DELAY_MS);
    await settle();
    expect(log).toHaveBeenCalledWith('the update download failed: sha512 checksum mismatch');
    reviewAt(START + FIRST_CHECK_DELAY_MS + 1);
    expect(port.download).toHaveBeenCalledTimes(1);
    expect(port.check).toHaveBeenCalledTimes(1);
  });
});
