// Contacts, call history, presence and do-not-disturb for the UI. The host keeps contacts (with
// their pinned keys) and history on the device; the server only resolves handles and reports the
// presence of the handles this user watches.
import type { HostBridge } from '../host/bridge';
import type { ServerConnection } from '../signaling/serverConnection';
import { getState, setState } from '../store/appStore';
import type { HistoryEntry } from '../../shared/contacts/callHistory';

export class ContactsController {
  constructor(
    private readonly host: HostBridge,
    private readonly server: ServerConnection,
  ) {
    server.onMessage((message) => {
      if (message.type === 'presence') setState((state) => ({ presence: { ...state.presence, [message.handle]: message.status } }));
    });
    // The server forgets watches and do-not-disturb with a connection: restate them on every login.
    server.onSession(() => {
      this.watchPresence();
      if (getState().doNotDisturb) this.server.send({ type: 'presence.set', status: 'dnd' });
    });
  }

  async load(): Promise<void> {
    const [contacts, history] = await Promise.all([this.host.calls['contacts.list'](), this.host.calls['history.list']()]);
    setState({ contacts, history });
  }

  /** Looks the handle up on the server and saves it with the key the server gives; not this user, nor a contact twice. */
  async add(handle: string): Promise<void> {
    if (handle === getState().identity?.handle) throw new Error('That is your own handle: add the people you want to call.');
    if (getState().contacts.some((contact) => contact.handle === handle)) throw new Error(`${handle} is already in your contacts.`);
    const answer = await this.server.request({ type: 'lookup', handle });
    if (answer.type !== 'lookup.result') throw new Error('unexpected answer from the server');
    if (!answer.publicKey) throw new Error(`No one is registered as “${handle}”.`);
    await this.host.calls['contacts.add']({ handle, publicKey: answer.publicKey });
    await this.refreshContacts();
  }

  async remove(handle: string): Promise<void> {
    await this.host.calls['contacts.remove']({ handle });
    await this.refreshContacts();
  }

  async setFavourite(handle: string, favourite: boolean): Promise<void> {
    await this.host.calls['contacts.setFavourite']({ handle, favourite });
    await this.refreshContacts();
  }

  async acceptKey(handle: string): Promise<void> {
    await this.host.calls['contacts.acceptKey']({ handle });
    await this.refreshContacts();
  }

  /** Contacts may have changed during a call (a first pin, a verification, a changed key). */
  async refreshContacts(): Promise<void> {
    setState({ contacts: await this.host.calls['contacts.list']() });
    this.watchPresence();
  }

  async record(entry: HistoryEntry): Promise<void> {
    await this.host.calls['history.record'](entry);
    setState({ history: await this.host.calls['history.list']() });
  }

  async markHistorySeen(): Promise<void> {
    if (getState().history.every((entry) => entry.seen)) return;
    await this.host.calls['history.markSeen']();
    setState({ history: await this.host.calls['history.list']() });
  }

  setDoNotDisturb(on: boolean): void {
    setState({ doNotDisturb: on });
    if (this.server.online) this.server.send({ type: 'presence.set', status: on ? 'dnd' : 'available' });
  }

  private watchPresence(): void {
    if (this.server.online) this.server.send({ type: 'presence.watch', handles: getState().contacts.map((contact) => contact.handle) });
  }
}
