// A sliding replay window over frame counters, as SRTP keeps one per stream (RFC 3711 §3.3.2):
// counters above the highest seen are new; within the last SIZE counters a bitmap remembers which
// were seen; anything older is refused.

const SIZE = 1024;

export class ReplayWindow {
  static readonly SIZE = SIZE;
  /** Bit (ctr % SIZE) is set when ctr was accepted; valid for ctr in (highest - SIZE, highest]. */
  private readonly seen = new Uint32Array(SIZE / 32);
  private highest = -1;

  /** Whether `ctr` may be accepted: never seen and not older than the window. */
  check(ctr: number): boolean {
    if (ctr > this.highest) return true;
    if (this.highest - ctr >= SIZE) return false;
    const bit = ctr % SIZE;
    return ((this.seen[bit >>> 5] as number) & (1 << (bit & 31))) === 0;
  }

  /** Records `ctr` as received; call only once its frame authenticated and `check` allowed it. */
  accept(ctr: number): void {
    if (ctr > this.highest) {
      if (ctr - this.highest >= SIZE) {
        this.seen.fill(0);
      } else {
        // Slots the window slides over still hold counters SIZE older.
        for (let stale = this.highest + 1; stale < ctr; stale++) this.clear(stale % SIZE);
      }
      this.highest = ctr;
    }
    const bit = ctr % SIZE;
    this.seen[bit >>> 5] = (this.seen[bit >>> 5] as number) | (1 << (bit & 31));
  }

  private clear(bit: number): void {
    this.seen[bit >>> 5] = (this.seen[bit >>> 5] as number) & ~(1 << (bit & 31));
  }
}
