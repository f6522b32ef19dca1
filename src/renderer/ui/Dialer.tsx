import { useId, useState, type FormEvent } from 'react';
import { useSession } from './context';
import { readHandle } from './handleInput';
import { useApp } from '../store/appStore';
import { HANDLE_RULE } from '../../shared/protocol';

/** Dial by handle. */
export function Dialer() {
  const session = useSession();
  const online = useApp((s) => s.connection.state === 'online');
  const [handle, setHandle] = useState('');
  const [video, setVideo] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hintId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // One message at a time: the last attempt's notice goes before this one's answer.
    session.dismissNotice();
    const typed = readHandle(handle, 'Enter the handle of the person to call.');
    if (!typed.ok) return setError(typed.problem);
    setError(null);
    void session.calls.dial(typed.handle, { video });
  };

  return (
    <section className="panel dialer" aria-labelledby="dialer-title">
      <h2 id="dialer-title">Make a call</h2>
      <form onSubmit={submit}>
        <label htmlFor="dial-handle">Call</label>
        <input
          id="dial-handle"
          name="dial-handle"
          placeholder="handle"
          value={handle}
          aria-describedby={hintId}
          aria-invalid={error !== null}
          onChange={(e) => setHandle(e.target.value)}
        />
        <p id={hintId} className="hint">
          A handle is {HANDLE_RULE}.
        </p>
        <label className="inline">
          <input type="checkbox" checked={video} onChange={(e) => setVideo(e.target.checked)} /> With video
        </label>
        <button type="submit" disabled={!online}>
          Call
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
