import { useId, useState, type FormEvent } from 'react';
import { useSession } from './context';
import { hostErrorText } from '../host/hostError';
import { useApp } from '../store/appStore';
import { HANDLE_RULE, Handle } from '../../shared/protocol';

/** First run: the user picks the handle others will call. */
export function FirstRun() {
  const session = useSession();
  const notice = useApp((s) => s.notice);
  const fingerprint = useApp((s) => s.identity?.fingerprint);
  const [handle, setHandle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hintId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = Handle.safeParse(handle.trim().toLowerCase());
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'not a valid handle');
    setBusy(true);
    setError(null);
    try {
      await session.register(parsed.data);
    } catch (failure) {
      setError(hostErrorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="panel first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Welcome</h2>
      <p>Choose the handle people will use to call you.</p>
      {notice && <p role="status">{notice}</p>}
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="handle">Handle</label>
        <input
          id="handle"
          name="handle"
          autoComplete="username"
          autoFocus
          value={handle}
          aria-describedby={hintId}
          aria-invalid={error !== null}
          onChange={(e) => setHandle(e.target.value)}
        />
        <p id={hintId} className="hint">
          {HANDLE_RULE}.
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Continue
        </button>
      </form>
      {fingerprint && (
        <p className="hint">
          This device’s identity key: <code>{fingerprint}</code>
        </p>
      )}
    </main>
  );
}
