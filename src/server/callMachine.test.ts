import { describe, expect, it } from 'vitest';
import { transition, type CallEvent, type CallState } from './callMachine';

const ok = (state: CallState, event: CallEvent) => {
  const next = transition(state, event);
  if (!next.ok) throw new Error(`refused: ${next.error}`);
  return next;
};

describe('call state machine', () => {
  it('rings, connects and becomes active', () => {
    expect(ok('ringing', { type: 'accept', by: 'callee' }).state).toBe('connecting');
    expect(ok('connecting', { type: 'media-up' }).state).toBe('active');
  });

  it.each<[CallState, CallEvent, string, string | undefined]>([
    ['ringing', { type: 'decline', by: 'callee' }, 'declined', 'callee'],
    ['ringing', { type: 'cancel', by: 'caller' }, 'cancelled', 'caller'],
    ['ringing', { type: 'hangup', by: 'caller' }, 'cancelled', 'caller'],
    ['ringing', { type: 'hangup', by: 'callee' }, 'declined', 'callee'],
    ['ringing', { type: 'ring-timeout' }, 'no-answer', undefined],
    ['ringing', { type: 'disconnect', by: 'callee' }, 'disconnected', 'callee'],
    ['connecting', { type: 'hangup', by: 'caller' }, 'hangup', 'caller'],
    ['connecting', { type: 'connect-timeout' }, 'failed', undefined],
    ['connecting', { type: 'failure', reason: 'e2ee-failed', by: 'callee' }, 'e2ee-failed', 'callee'],
    ['active', { type: 'hangup', by: 'callee' }, 'hangup', 'callee'],
    ['active', { type: 'disconnect', by: 'caller' }, 'disconnected', 'caller'],
    ['active', { type: 'failure', reason: 'failed' }, 'failed', undefined],
  ])('%s + %o ends with %s', (state, event, reason, by) => {
    const next = ok(state, event);
    expect(next.state).toBe('ended');
    expect(next.state === 'ended' && next.end).toEqual(by ? { reason, by } : { reason });
  });

  it.each<[CallState, CallEvent]>([
    ['ringing', { type: 'accept', by: 'caller' }],
    ['ringing', { type: 'decline', by: 'caller' }],
    ['ringing', { type: 'cancel', by: 'callee' }],
    ['ringing', { type: 'media-up' }],
    ['ringing', { type: 'failure', reason: 'e2ee-failed', by: 'caller' }],
    ['connecting', { type: 'accept', by: 'callee' }],
    ['connecting', { type: 'decline', by: 'callee' }],
    ['active', { type: 'ring-timeout' }],
    ['active', { type: 'connect-timeout' }],
    ['ended', { type: 'hangup', by: 'caller' }],
  ])('refuses %s + %o', (state, event) => {
    expect(transition(state, event).ok).toBe(false);
  });
});
