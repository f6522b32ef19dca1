import { useSession } from './context';
import { endedText } from './text';
import { useApp } from '../store/appStore';

/** How the last call ended, with the reason. */
export function EndedNotice() {
  const session = useSession();
  const ended = useApp((s) => s.lastEnded);
  if (!ended) return null;
  return (
    <section className="panel ended" aria-labelledby="ended-title">
      <h2 id="ended-title">Call ended</h2>
      <p role="status" aria-label="Call end reason">
        {endedText(ended)}
      </p>
      <button type="button" onClick={() => session.calls.dismissEnded()}>
        Dismiss
      </button>
    </section>
  );
}
