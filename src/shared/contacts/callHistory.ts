// The device's call history: every call with its direction, peer, times, outcome and whether it
// was end-to-end encrypted. Kept only on the device (the server keeps no history), newest first,
// and capped so it cannot grow without bound.
import { z } from 'zod';
import type { RecordStore } from './recordStore';
import { CallId, EndReason, Handle } from '../protocol';
import { SerialQueue } from '../serialQueue';

export const CallOutcome = z.enum([
  'answered', // media connected
  'missed', // incoming, not answered (caller gave up, no answer, do-not-disturb, busy)
  'declined', // declined, by either side
  'not-answered', // outgoing: no answer, busy, offline, do-not-disturb
  'cancelled', // outgoing: this side gave up before an answer
  'failed', // could not be set up (or end-to-end encryption failed)
]);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const HistoryEntry = z.object({
  callId: CallId,
  peer: Handle,
  direction: z.enum(['outgoing', 'incoming']),
  /** When the call started ringing or was dialed (ms since the epoch). */
  startedAt: z.number().int().nonnegative(),
  /** When media started flowing, for answered calls. */
  answeredAt: z.number().int().nonnegative().nullable(),
  endedAt: z.number().int().nonnegative(),
  outcome: CallOutcome,
  endReason: EndReason,
  e2ee: z.boolean(),
  video: z.boolean(),
  /** Missed calls stay unseen (a badge) until the user opens the history. */
  seen: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const StoredCallHistory = z.object({ calls: z.array(HistoryEntry) });
export type StoredCallHistory = z.infer<typeof StoredCallHistory>;

/** The most calls kept; older ones are dropped. */
export const HISTORY_LIMIT = 1000;

/** What a call's ending means for the history, from this side's point of view. */
export function outcomeOf(call: { direction: 'outgoing' | 'incoming'; answered: boolean; reason: EndReason; byMe: boolean }): CallOutcome {
  const { direction, answered, reason, byMe } = call;
  if (reason === 'failed' || reason === 'e2ee-failed') return 'failed';
  if (answered) return 'answered';
  if (reason === 'declined') return 'declined';
  if (direction === 'incoming') return 'missed';
  if (reason === 'cancelled' && byMe) return 'cancelled';
  if (reason === 'disconnected' || reason === 'server-shutdown') return 'failed';
  return 'not-answered';
}

export class CallHistory {
  private readonly writes = new SerialQueue();

  private constructor(
    private readonly store: RecordStore<StoredCallHistory>,
    private calls: HistoryEntry[],
  ) {}

  static async open(store: RecordStore<StoredCallHistory>): Promise<CallHistory> {
    const stored = await store.read();
    return new CallHistory(store, stored === null ? [] : StoredCallHistory.parse(stored).calls);
  }

  /** Newest first. */
  list(): HistoryEntry[] {
    return this.calls.map((entry) => ({ ...entry }));
  }

  /** Adds a call (or replaces the entry with the same call id). */
  async record(entry: HistoryEntry): Promise<void> {
    const checked = HistoryEntry.parse(entry);
    await this.update((calls) => [checked, ...calls.filter((call) => call.callId !== checked.callId)].slice(0, HISTORY_LIMIT));
  }

  async markAllSeen(): Promise<void> {
    if (this.calls.every((call) => call.seen)) return;
    await this.update((calls) => calls.map((call) => ({ ...call, seen: true })));
  }

  private update(change: (calls: HistoryEntry[]) => HistoryEntry[]): Promise<void> {
    return this.writes.run(async () => {
      const next = change(this.calls);
      await this.store.write({ calls: next });
      this.calls = next;
    });
  }
}
