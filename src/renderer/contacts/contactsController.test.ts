// Adding a contact: not this user's own handle, and not someone already saved.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ContactsController } from './contactsController';
import type { HostBridge } from '../host/bridge';
import type { ServerConnection } from '../signaling/serverConnection';
import { setState } from '../store/appStore';

const key = 'A'.repeat(43);

function controller() {
  const request = vi.fn(async () => ({ type: 'lookup.result', handle: 'carol', publicKey: key }));
  const add = vi.fn(async () => undefined);
  const server = { onMessage: () => undefined, onSession: () => undefined, request, send: () => undefined };
  const host = { calls: { 'contacts.add': add, 'contacts.list': async () => [] } };
  return { contacts: new ContactsController(host as unknown as HostBridge, server as unknown as ServerConnection), request, add };
}

beforeEach(() => {
  setState({
    identity: { handle: 'alice', publicKey: key, fingerprint: '' },
    contacts: [{ handle: 'bob', publicKey: key, fingerprint: '', verified: false, favourite: false, keyChanged: false }],
  });
});

describe('ContactsController.add', () => {
  it('refuses this user’s own handle without asking the server', async () => {
    const { contacts, request, add } = controller();
    await expect(contacts.add('alice')).rejects.toThrow('That is your own handle');
    expect(request).not.toHaveBeenCalled();
    expect(add).not.toHaveBeenCalled();
  });

  it('says so when the handle is already a contact', async () => {
    const { contacts, add } = controller();
    await expect(contacts.add('bob')).rejects.toThrow('bob is already in your contacts.');
    expect(add).not.toHaveBeenCalled();
  });

  it('adds someone new with the key the server gives', async () => {
    const { contacts, add } = controller();
    await contacts.add('carol');
    expect(add).toHaveBeenCalledWith({ handle: 'carol', publicKey: key });
  });
});
