import { describe, expect, it } from 'vitest';
import { CallHistory, HISTORY_LIMIT, outcomeOf, type HistoryEntry, type StoredCallHistory } from './callHistory';
import type { RecordStore } from './recordStore';

function memory(): RecordStore<StoredCallHistory> & { stored: unknown } {
  const store = {
    stored: null as unknown,
    read: async () => store.stored,
    write: async (value: StoredCallHistory) => {
      store.stored = JSON.parse(JSON.stringify(value));
    },
  };
  return store;
}

const entry = (n: number, patch: Partial<HistoryEntry> = {}): HistoryEntry => ({
  callId: `c${String(n).padStart(21, '0')}`,
  peer: 'bob',
  direction: 'incoming',
  startedAt: n * 1000,
  answeredAt: null,
  endedAt: n * 1000 + 500,
  outcome: 'missed',
  endReason: 'no-answer',
  e2ee: false,
  video: false,
  seen: false,
  ...patch,
});

describe('CallHistory', () => {
  it('keeps calls newest first, replaces a call recorded twice, and survives reopening', async () => {
    const store = memory();
    const history = await CallHistory.open(store);
    await history.record(entry(1));
    await history.record(entry(2));
    await history.record(entry(1, { outcome: 'answered', answeredAt: 1200 }));
    const reopened = await CallHistory.open(store);
    expect(reopened.list().map((e) => [e.callId.slice(-1), e.outcome])).toEqual([
      ['1', 'answered'],
      ['2', 'missed'],
    ]);
  });

  it('marks everything seen', async () => {
    const history = await CallHistory.open(memory());
    await history.record(entry(1));
    await history.markAllSeen();
    expect(history.list().every((e) => e.seen)).toBe(true);
  });

  it(`keeps at most ${HISTORY_LIMIT} calls`, async () => {
    const history = await CallHistory.open(memory());
    for (let n = 0; n < HISTORY_LIMIT + 5; n++) await history.record(entry(n));
    expect(history.list()).toHaveLength(HISTORY_LIMIT);
    expect(history.list()[0]?.startedAt).toBe((HISTORY_LIMIT + 4) * 1000);
  });

  it('refuses an invalid entry', async () => {
    const history = await CallHistory.open(memory());
    await expect(history.record({ ...entry(1), peer: 'Not A Handle' })).rejects.toThrow();
    expect(history.list()).toEqual([]);
  });
});

describe('call outcomes', () => {
  it.each([
    [{ direction: 'outgoing', answered: true, reason: 'hangup', byMe: true }, 'answered'],
    [{ direction: 'incoming', answered: false, reason: 'cancelled', byMe: false }, 'missed'],
    [{ direction: 'incoming', answered: false, reason: 'no-answer', byMe: false }, 'missed'],
    [{ direction: 'incoming', answered: false, reason: 'dnd', byMe: false }, 'missed'],
    [{ direction: 'incoming', answered: false, reason: 'declined', byMe: true }, 'declined'],
    [{ direction: 'outgoing', answered: false, reason: 'declined', byMe: false }, 'declined'],
    [{ direction: 'outgoing', answered: false, reason: 'busy', byMe: false }, 'not-answered'],
    [{ direction: 'outgoing', answered: false, reason: 'cancelled', byMe: true }, 'cancelled'],
    [{ direction: 'outgoing', answered: false, reason: 'e2ee-failed', byMe: false }, 'failed'],
    [{ direction: 'outgoing', answered: true, reason: 'failed', byMe: false }, 'failed'],
  ] as const)('%o is %s', (call, outcome) => {
    expect(outcomeOf(call)).toBe(outcome);
  });
});
