// Who is reachable: derived from the live connections, the calls in progress and each user's
// do-not-disturb choice, and pushed to the users who watch a handle. Kept in memory only.
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
  /** watcher → the handles it watches */
  private readonly watching = new Map<string, Set<string>>();
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

  isDoNotDisturb(handle: string): boolean {
    return this.dnd.has(handle);
  }

  setDoNotDisturb(handle: string, on: boolean): void {
    if (on) this.dnd.add(handle);
    else this.dnd.delete(handle);
    this.changed(handle);
  }

  /** Replaces what `watcher` watches and sends the current status of each handle. */
  watch(watcher: string, handles: readonly string[]): void {
    this.unwatchAll(watcher);
    const set = new Set(handles.slice(0, MAX_WATCHED));
    this.watching.set(watcher, set);
    for (const handle of set) {
      let list = this.watchers.get(handle);
      if (!list) this.watchers.set(handle, (list = new Set()));
      list.add(watcher);
      this.notify(watcher, handle, this.statusOf(handle));
    }
  }

  /** Forgets a user's subscriptions (when its connection ends). */
  unwatchAll(watcher: string): void {
    for (const handle of this.watching.get(watcher) ?? []) {
      const list = this.watchers.get(handle);
      list?.delete(watcher);
      if (list?.size === 0) this.watchers.delete(handle);
    }
    this.watching.delete(watcher);
  }

  /** Recomputes `handle`'s status and tells its watchers if it moved. */
  changed(handle: string): void {
    const status = this.statusOf(handle);
    if ((this.lastSent.get(handle) ?? 'offline') === status) return;
    if (status === 'offline') this.lastSent.delete(handle);
    else this.lastSent.set(handle, status);
    for (const watcher of this.watchers.get(handle) ?? []) this.notify(watcher, handle, status);
  }
}
