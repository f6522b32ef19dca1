import { describe, expect, it, vi } from 'vitest';
import { QuitGate } from './quitGate';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const quitEvent = () => ({ preventDefault: vi.fn() });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('QuitGate', () => {
  it('lets the app quit at once when nothing is being written', () => {
    const gate = new QuitGate();
    const event = quitEvent();
    const quitAgain = vi.fn();
    expect(gate.hold(event, quitAgain)).toBe(false);
    expect(event.preventDefault).not.toHaveBeenCalled();
    expect(quitAgain).not.toHaveBeenCalled();
  });

  it('holds the quit until a pending write is done, then quits again and lets that quit through', async () => {
    const gate = new QuitGate();
    const write = deferred();
    gate.track(write.promise);
    const event = quitEvent();
    const quitAgain = vi.fn();

    expect(gate.hold(event, quitAgain)).toBe(true);
    expect(event.preventDefault).toHaveBeenCalledTimes(1);
    await flush();
    expect(quitAgain).not.toHaveBeenCalled();

    write.resolve();
    await flush();
    expect(quitAgain).toHaveBeenCalledTimes(1);

    const second = quitEvent();
    expect(gate.hold(second, quitAgain)).toBe(false);
    expect(second.preventDefault).not.toHaveBeenCalled();
  });

  it('quits after a failed write too', async () => {
    const gate = new QuitGate();
    const write = deferred();
    gate.track(write.promise);
    const quitAgain = vi.fn();
    gate.hold(quitEvent(), quitAgain);
    write.reject(new Error('disk full'));
    await flush();
    expect(quitAgain).toHaveBeenCalledTimes(1);
  });

  it('holds a quit asked for again while waiting, and quits only once', async () => {
    const gate = new QuitGate();
    const write = deferred();
    gate.track(write.promise);
    const quitAgain = vi.fn();
    gate.hold(quitEvent(), quitAgain);
    const again = quitEvent();
    expect(gate.hold(again, quitAgain)).toBe(true);
    expect(again.preventDefault).toHaveBeenCalledTimes(1);

    write.resolve();
    await flush();
    expect(quitAgain).toHaveBeenCalledTimes(1);
  });

  it('waits for a write started while it waits', async () => {
    const gate = new QuitGate();
    const first = deferred();
    const second = deferred();
    gate.track(first.promise);
    const quitAgain = vi.fn();
    gate.hold(quitEvent(), quitAgain);
    gate.track(second.promise);
    first.resolve();
    await flush();
    expect(quitAgain).not.toHaveBeenCalled();
    second.resolve();
    await flush();
    expect(quitAgain).toHaveBeenCalledTimes(1);
  });
});
