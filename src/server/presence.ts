// Who is reachable: derived from the live connections, the calls in progress and each user's
// do-not-disturb choice, and pushed to the users who watch a handle. Kept in memory only.
//
// Consent: a watcher learns a handle's status only while that handle watches the watcher too (the
// apps watch their contacts, so: both have each other as contacts). Anyone else sees 'offline',
// whatever the truth, so a stranger cannot tell online, in a call or do-not-disturb, nor line up two
// handles going busy together.
import type { PresenceStatus } from '../shared/protocol';

export interface PresenceSources {
  isConnected(handle: string): boolean;
  isInCall(handle: string): boolean;
}

export type PresenceListener = (watcher: string, handle: string, status: PresenceStatus) => void;

const MAX_WATCHED = 500;

export class Presence {
  private readonly dnd = new Set<string>();
  /** handle → the users watching it */
  private readonly watchers = new Map<string, Set<string>>();
  /** watcher → the handles it watches, each with the status it was last sent */
  private readonly watching = new Map<string, Map<string, PresenceStatus>>();
  private readonly lastSent = new Map<string, PresenceStatus>();

  constructor(
    private readonly sources: PresenceSources,
    private readonly notify: PresenceListener,
  ) {}

  statusOf(handle: string): PresenceStatus {
    if (!this.sources.isConnected(handle)) return 'offline';
    if (this.sources.isInCall(handle)) return 'busy';
    return this.dnd.has(handle) ? 'dnd' : 'available';
  }

  /** What `watcher` may see of `handle`: its status if `handle` watches `watcher` too, else 'offline'. */
  visibleStatus(watcher: string, handle: string): PresenceStatus {
    return this.watching.get(handle)?.has(watcher) ? this.statusOf(handle) : 'offline';
  }

  isDoNotDisturb(handle: string): boolean {
    return this.dnd.has(handle);
  }

  setDoNotDisturb(handle: string, on: boolean): void {
    if (on) this.dnd.add(handle);
    else this.dnd.delete(handle);
    this.changed(handle);
  }

  /**
   * Replaces what `watcher` watches and sends the status of each handle it has not been sent yet
   * (newly watched, or changed since): watching the same list again sends nothing. Those who watch
   * `watcher` are told when the new list gives or takes away their consent.
   */
  watch(watcher: string, handles: readonly string[]): void {
    const before = this.watching.get(watcher) ?? new Map<string, PresenceStatus>();
    const wanted = new Set(handles.slice(0, MAX_WATCHED));
    for (const handle of before.keys()) if (!wanted.has(handle)) this.unwatch(watcher, handle);
    const sent = new Map<string, PresenceStatus>();
    this.watching.set(watcher, sent);
    for (const handle of wanted) {
      let list = this.watchers.get(handle);
      if (!list) this.watchers.set(handle, (list = new Set()));
      list.add(watcher);
      const status = this.visibleStatus(watcher, handle);
      sent.set(handle, status);
      if (before.get(handle) !== status) this.notify(watcher, handle, status);
    }
    this.tellWatchersOf(watcher);
  }

  /** Forgets a user's subscriptions (when its connection ends). */
  unwatchAll(watcher: string): void {
    for (const handle of this.watching.get(watcher)?.keys() ?? []) this.unwatch(watcher, handle);
    this.watching.delete(watcher);
  }

  private unwatch(watcher: string, handle: string): void {
    const list = this.watchers.get(handle);
    list?.delete(watcher);
    if (list?.size === 0) this.watchers.delete(handle);
  }

  /** Recomputes `handle`'s status and tells its watchers if what they may see of it moved. */
  changed(handle: string): void {
    const status = this.statusOf(handle);
    if ((this.lastSent.get(handle) ?? 'offline') === status) return;
    if (status === 'offline') this.lastSent.delete(handle);
    else this.lastSent.set(handle, status);
    this.tellWatchersOf(handle);
  }

  /** Sends each watcher of `handle` what it may now see of it, where that differs from what it was sent. */
  private tellWatchersOf(handle: string): void {
    for (const watcher of this.watchers.get(handle) ?? []) {
      const sent = this.watching.get(watcher);
      const status = this.visibleStatus(watcher, handle);
      if (sent?.get(handle) === status) continue;
      sent?.set(handle, status);
      this.notify(watcher, handle, status);
    }
  }
}
