import { useState, type FormEvent } from 'react';
import { useSession } from './context';
import { useApp } from '../store/appStore';
import { Handle } from '../../shared/protocol';

/** Dial by handle. */
export function Dialer() {
  const session = useSession();
  const online = useApp((s) => s.connection.state === 'online');
  const [handle, setHandle] = useState('');
  const [video, setVideo] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = Handle.safeParse(handle.trim().toLowerCase());
    if (!parsed.success) return setError('Enter the handle of the person to call.');
    setError(null);
    void session.calls.dial(parsed.data, { video });
  };

  return (
    <section className="panel dialer" aria-labelledby="dialer-title">
      <h2 id="dialer-title">Make a call</h2>
      <form onSubmit={submit}>
        <label htmlFor="dial-handle">Call</label>
        <input id="dial-handle" name="dial-handle" placeholder="handle" value={handle} onChange={(e) => setHandle(e.target.value)} />
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
