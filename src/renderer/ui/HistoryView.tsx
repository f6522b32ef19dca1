import { useEffect } from 'react';
import { useSession } from './context';
import { formatDuration } from './text';
import { useApp } from '../store/appStore';
import type { CallOutcome } from '../../shared/contacts/callHistory';

const OUTCOME_TEXT: Record<CallOutcome, string> = {
  answered: 'Answered',
  missed: 'Missed',
  declined: 'Declined',
  'not-answered': 'Not answered',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** This device's calls, newest first; opening it clears the missed-call badge. */
export function HistoryView() {
  const session = useSession();
  const history = useApp((s) => s.history);
  const online = useApp((s) => s.connection.state === 'online');

  useEffect(() => {
    void session.contacts.markHistorySeen();
  }, [session, history.length]);

  return (
    <section className="panel history" aria-labelledby="history-title">
      <h2 id="history-title">Call history</h2>
      {history.length === 0 ? (
        <p className="hint">No calls yet.</p>
      ) : (
        <ul className="history-list" aria-label="Calls">
          {history.map((entry) => (
            <li key={entry.callId} className={entry.outcome}>
              <span>
                <strong>{entry.peer}</strong> — {entry.direction === 'incoming' ? 'Incoming' : 'Outgoing'}
                {entry.video ? ' video' : ''} call, <span className="outcome">{OUTCOME_TEXT[entry.outcome]}</span>
                {entry.e2ee && <span className="e2ee-mark"> · End-to-end encrypted</span>}
              </span>
              <span className="hint">
                {' '}
                {when.format(entry.startedAt)}
                {entry.answeredAt !== null && ` · ${formatDuration(entry.endedAt - entry.answeredAt)}`}
              </span>
              <button type="button" onClick={() => void session.calls.dial(entry.peer, { video: entry.video })} disabled={!online}>
                Call {entry.peer} back
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
