import { describe, expect, it } from 'vitest';
import { supervise } from './supervise';

describe('supervise', () => {
  it('restarts a child that exits on its own, with backoff, and gives up after the bound', async () => {
    const started: number[] = [];
    const exits: boolean[] = [];
    const gaveUp = await new Promise<number>((resolve) => {
      supervise({
        command: process.execPath,
        args: ['-e', 'process.exit(3)'],
        maxRestarts: 3,
        firstDelayMs: 20,
        onStart: () => started.push(Date.now()),
        onExit: (_code, _signal, willRestart) => exits.push(willRestart),
        onGiveUp: resolve,
      });
    });
    expect(gaveUp).toBe(3);
    expect(started).toHaveLength(4);
    expect(exits).toEqual([true, true, true, false]);
    // Backoff doubles: 20, 40, 80 ms between exits and starts (plus node's start-up).
    expect(started[3]! - started[0]!).toBeGreaterThanOrEqual(140);
  });

  it('restarts nothing after stop()', async () => {
    let starts = 0;
    const supervisor = supervise({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], firstDelayMs: 10, onStart: () => (starts += 1) });
    const child = supervisor.child!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    supervisor.stop();
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(starts).toBe(1);
    expect(supervisor.child).toBeNull();
  });

  it('does not restart a child that exits with a final code', async () => {
    let starts = 0;
    const code = await new Promise<number>((resolve) => {
      supervise({
        command: process.execPath,
        args: ['-e', 'process.exit(2)'],
        finalExitCodes: [2],
        firstDelayMs: 10,
        onStart: () => (starts += 1),
        onGiveUp: resolve,
      });
    });
    expect(code).toBe(2);
    expect(starts).toBe(1);
  });
});
