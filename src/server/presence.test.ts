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
    const connected = new Set(['alice', 'bob']);
    const { presence, sent } = setup(connected);
    const toAlice = () => sent.filter((s) => s.watcher === 'alice').map((s) => s.status);
    presence.watch('bob', ['alice']);
    presence.watch('alice', ['bob']);
    presence.setDoNotDisturb('bob', true);
    expect(toAlice()).toEqual(['available', 'dnd']);
    presence.watch('alice', ['bob']);
    expect(toAlice()).toHaveLength(2);
    presence.watch('alice', []);
    presence.watch('alice', ['bob']);
    expect(toAlice()).toEqual(['available', 'dnd', 'dnd']);
  });

  it('shows a handle’s status only to those it watches too; a stranger sees offline throughout', () => {
    const connected = new Set(['alice', 'bob', 'mallory']);
    const inCall = new Set<string>();
    const sent: { watcher: string; handle: string; status: PresenceStatus }[] = [];
    const presence = new Presence({ isConnected: (handle) => connected.has(handle), isInCall: (handle) => inCall.has(handle) }, (watcher, handle, status) =>
      sent.push({ watcher, handle, status }),
    );
    const seenBy = (watcher: string) => sent.filter((s) => s.watcher === watcher && s.handle === 'bob').map((s) => s.status);
    presence.watch('mallory', ['bob']);
    presence.watch('alice', ['bob']);
    expect(seenBy('alice')).toEqual(['offline']);
    // bob's contacts include alice: she now sees him; mallory, whom bob does not watch, does not.
    presence.watch('bob', ['alice']);
    expect(seenBy('alice')).toEqual(['offline', 'available']);
    inCall.add('bob');
    presence.changed('bob');
    presence.setDoNotDisturb('bob', true);
    inCall.delete('bob');
    presence.changed('bob');
    expect(seenBy('alice')).toEqual(['offline', 'available', 'busy', 'dnd']);
    expect(seenBy('mallory')).toEqual(['offline']);
    expect(presence.visibleStatus('mallory', 'bob')).toBe('offline');
    // bob takes alice off his contacts: she is told offline.
    presence.watch('bob', []);
    expect(seenBy('alice')).toEqual(['offline', 'available', 'busy', 'dnd', 'offline']);
  });

  it('sends everything again to a watcher whose subscriptions were dropped (a new connection)', () => {
    const { presence, sent } = setup(new Set(['bob']));
    presence.watch('alice', ['bob']);
    presence.unwatchAll('alice');
    presence.watch('alice', ['bob']);
    expect(sent).toHaveLength(2);
  });
});
