import { useSession } from './context';
import { useApp } from '../store/appStore';

/**
 * A softphone://call/<handle> link asked to call someone: the app asks first, so that a link on a
 * web page or in a message never opens the microphone by itself.
 */
export function DialRequest() {
  const session = useSession();
  const handle = useApp((s) => s.dialRequest);
  if (!handle) return null;
  return (
    <section className="panel" role="alertdialog" aria-labelledby="dial-request-title" aria-describedby="dial-request-detail">
      <h2 id="dial-request-title">Call {handle}?</h2>
      <p id="dial-request-detail">A softphone link asked to call {handle}.</p>
      <button type="button" autoFocus onClick={() => void session.calls.confirmDialRequest()}>
        Call
      </button>
      <button type="button" onClick={() => session.calls.cancelDialRequest()}>
        Cancel
      </button>
    </section>
  );
}
