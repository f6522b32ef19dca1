import { useRef, useState, type KeyboardEvent } from 'react';
import { ContactsView } from './ContactsView';
import { useSession } from './context';
import { Dialer } from './Dialer';
import { HistoryView } from './HistoryView';
import { useApp } from '../store/appStore';

const TABS = ['dial', 'contacts', 'history'] as const;
type Tab = (typeof TABS)[number];

/** The home screen between calls: dial, contacts and history as tabs (arrow keys move between them). */
export function Home() {
  const session = useSession();
  const [tab, setTabState] = useState<Tab>('dial');
  // A notice answers what was done on one tab: it does not follow the user to another.
  const setTab = (next: Tab) => {
    if (next !== tab) session.dismissNotice();
    setTabState(next);
  };
  const missed = useApp((s) => s.history.filter((entry) => entry.outcome === 'missed' && !entry.seen).length);
  const buttons = useRef<Record<Tab, HTMLButtonElement | null>>({ dial: null, contacts: null, history: null });
  const label: Record<Tab, string> = {
    dial: 'Call',
    contacts: 'Contacts',
    history: missed ? `History (${missed} missed)` : 'History',
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    const index = event.key === 'Home' ? 0 : event.key === 'End' ? TABS.length - 1 : (TABS.indexOf(tab) + step + TABS.length) % TABS.length;
    if (!step && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next = TABS[index] ?? 'dial';
    setTab(next);
    buttons.current[next]?.focus();
  };

  return (
    <>
      <div role="tablist" aria-label="Views" className="tabs" onKeyDown={onKeyDown}>
        {TABS.map((id) => (
          <button
            key={id}
            ref={(element) => {
              buttons.current[id] = element;
            }}
            id={`tab-${id}`}
            type="button"
            role="tab"
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
          >
            {label[id]}
            {id === 'history' && missed > 0 && (
              <span className="badge" aria-hidden="true">
                {missed}
              </span>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'dial' && <Dialer />}
        {tab === 'contacts' && <ContactsView />}
        {tab === 'history' && <HistoryView />}
      </div>
    </>
  );
}
