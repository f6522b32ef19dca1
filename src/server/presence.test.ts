import { describe, expect, it } from 'vitest';
import { Presence } from './presence';
import type { PresenceStatus } from '../shared/protocol';

function setup(connected: Set<string>) {
  const sent: { watcher: string; handle: string; status: PresenceStatus }[] = [];
  const presence = new Presence({ isConnected: (handle) => connected.has(handle), isInCall: () => false }, (watcher, handle, status) =>
    sent.push({ watcher, handle, status }),
  );
  return { presence, sent };
}

describe('Presence', () => {
  it('sends a watcher only the statuses it has not been sent: watching the same list again sends nothing', () => {
    const { presence, sent } = setup(new Set(['bob']));
    const handles = Array.from({ length: 499 }, (_, i) => `user${i}`);
    presence.watch('alice', [...handles, 'bob']);
    expect(sent).toHaveLength(500);
    sent.length = 0;
    for (let i = 0; i < 10; i++) presence.watch('alice', [...handles, 'bob']);
    expect(sent).toHaveLength(0);
    presence.watch('alice', ['bob', 'carol']);
    expect(sent).toEqual([{ watcher: 'alice', handle: 'carol', status: 'offline' }]);
  });

  it('sends a status again once it changed, and a handle watched again after it was dropped', () => {
    const connected = new Set(['bob']);
    const { presence, sent } = setup(connected);
    presence.watch('alice', ['bob']);
    presence.setDoNotDisturb('bob', true);
    expect(sent.map((s) => s.status)).toEqual(['available', 'dnd']);
    presence.watch('alice', ['bob']);
    expect(sent).toHaveLength(2);
    presence.watch('alice', []);
    presence.watch('alice', ['bob']);
    expect(sent.map((s) => s.status)).toEqual(['available', 'dnd', 'dnd']);
  });

  it('sends everything again to a watcher whose subscriptions were dropped (a new connection)', () => {
    const { presence, sent } = setup(new Set(['bob']));
    presence.watch('alice', ['bob']);
    presence.unwatchAll('alice');
    presence.watch('alice', ['bob']);
    expect(sent).toHaveLength(2);
  });
});
