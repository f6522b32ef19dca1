import { useId, useState, type FormEvent } from 'react';
import { useSession } from './context';
import { readHandle } from './handleInput';
import { hostErrorText } from '../host/hostError';
import { useApp } from '../store/appStore';
import { HANDLE_RULE, type PresenceStatus } from '../../shared/protocol';

const PRESENCE_TEXT: Record<PresenceStatus, string> = {
  available: 'available',
  busy: 'in a call',
  dnd: 'do not disturb',
  offline: 'offline',
};

/** The saved contacts: add by handle, search, favourite, remove, call; keys and their trust. */
export function ContactsView() {
  const session = useSession();
  const contacts = useApp((s) => s.contacts);
  const presence = useApp((s) => s.presence);
  const online = useApp((s) => s.connection.state === 'online');
  const [query, setQuery] = useState('');
  const [newHandle, setNewHandle] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** The contact whose Remove was pressed: removed only once the user confirms. */
  const [removing, setRemoving] = useState<string | null>(null);
  const searchId = useId();
  const hintId = useId();

  const act = (action: Promise<void>) => {
    setError(null);
    action.catch((failure: unknown) => setError(hostErrorText(failure)));
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    session.dismissNotice();
    const typed = readHandle(newHandle, 'Enter the handle of the person to add.');
    if (!typed.ok) return setError(typed.problem);
    act(session.contacts.add(typed.handle).then(() => setNewHandle('')));
  };

  const shown = contacts.filter((contact) => contact.handle.includes(query.trim().toLowerCase()));
  return (
    <section className="panel contacts" aria-labelledby="contacts-title">
      <h2 id="contacts-title">Contacts</h2>
      <form onSubmit={add} className="row-form">
        <label htmlFor="add-contact">Add contact</label>
        <input
          id="add-contact"
          placeholder="handle"
          value={newHandle}
          aria-describedby={hintId}
          aria-invalid={error !== null}
          onChange={(e) => setNewHandle(e.target.value)}
        />
        <button type="submit" disabled={!online}>
          Add
        </button>
      </form>
      <p id={hintId} className="hint">
        A handle is {HANDLE_RULE}.
      </p>
      <label htmlFor={searchId}>Search contacts</label>
      <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {contacts.length === 0 ? (
        <p className="hint">No contacts yet. Add someone by their handle.</p>
      ) : (
        <ul className="contact-list" aria-label="Contacts">
          {shown.map((contact) => (
            <li key={contact.handle} aria-label={contact.handle}>
              <div className="contact-main">
                <strong>{contact.handle}</strong>
                {contact.favourite && <span aria-label="favourite"> ★</span>}{' '}
                <span className={`presence ${presence[contact.handle] ?? 'offline'}`}>{PRESENCE_TEXT[presence[contact.handle] ?? 'offline']}</span>
                <div className="hint">
                  Key <code>{contact.fingerprint}</code> — {contact.verified ? 'verified' : 'not verified'}
                </div>
                {contact.keyChanged && (
                  <p role="alert" className="warning">
                    {contact.handle}’s security key has changed.{' '}
                    <button type="button" onClick={() => act(session.contacts.acceptKey(contact.handle))}>
                      Accept the new key for {contact.handle}
                    </button>
                  </p>
                )}
              </div>
              <div className="actions">
                <button type="button" onClick={() => void session.calls.dial(contact.handle, { video: false })} disabled={!online}>
                  Call {contact.handle}
                </button>
                <button type="button" aria-pressed={contact.favourite} onClick={() => act(session.contacts.setFavourite(contact.handle, !contact.favourite))}>
                  Favourite {contact.handle}
                </button>
                <button
                  type="button"
                  aria-expanded={removing === contact.handle}
                  onClick={() => setRemoving(removing === contact.handle ? null : contact.handle)}
                >
                  Remove {contact.handle}
                </button>
              </div>
              {removing === contact.handle && (
                <p role="group" aria-label={`Remove ${contact.handle}?`} className="confirm">
                  Remove {contact.handle} and the key saved for them?{' '}
                  <button
                    type="button"
                    onClick={() => {
                      setRemoving(null);
                      act(session.contacts.remove(contact.handle));
                    }}
                  >
                    Yes, remove {contact.handle}
                  </button>{' '}
                  <button type="button" onClick={() => setRemoving(null)}>
                    Keep {contact.handle}
                  </button>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
