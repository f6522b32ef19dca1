// Quitting waits for the small files main is still writing (the window placement, saved when the
// window closes): Electron's 'will-quit' is held with preventDefault until they are written, then
// the app quits again. It holds once only, so a write that never settles cannot keep the app alive
// through a second quit, and quitting again cannot loop.

/** The part of Electron's will-quit event the gate uses. */
export interface QuitEvent {
  preventDefault(): void;
}

export class QuitGate {
  private readonly pending = new Set<Promise<unknown>>();
  private state: 'open' | 'holding' | 'released' = 'open';

  /** Quitting waits for `write` to settle (whether it succeeds or fails). */
  track(write: Promise<unknown>): void {
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }

  /**
   * For 'will-quit': answers true when the quit was held — it then calls `quitAgain` once every
   * tracked write has settled — and false when the app may quit now.
   */
  hold(event: QuitEvent, quitAgain: () => void): boolean {
    if (this.state === 'released') return false;
    if (this.state === 'open' && this.pending.size === 0) return false;
    event.preventDefault();
    if (this.state === 'holding') return true;
    this.state = 'holding';
    void this.settled().then(() => {
      this.state = 'released';
      quitAgain();
    });
    return true;
  }

  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
