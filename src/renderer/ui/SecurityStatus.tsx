import { useSession } from './context';
import { expectedEncryptionText, formatSecurityCode, standardReasonText } from './text';
import type { CallView } from '../store/appStore';
import type { IdentityAtRest } from '../../shared/bridge';

/** Frames that failed authentication, with none decrypted, before we tell the user (≈0.5 s of audio). */
const UNDECRYPTABLE_FRAMES = 25;

/**
 * What end-to-end encryption in the web client does not cover: its code comes from the server each
 * time the page loads, so whoever runs that server could send code that reads the keys.
 */
export const WEB_CLIENT_TRUST =
  'In the web client, the app itself comes from the server each time you open it. End-to-end encryption keeps the media server and the network out of this call, but not whoever runs the server that serves this page: they could send a page that reads your keys. Use the desktop app to be safe from that too.';

/**
 * The call's encryption: end-to-end (with the security code), standard with the reason, or failed.
 * In the web client it also says how this browser keeps the identity key (`identityAtRest`).
 */
export function SecurityStatus({ call, identityAtRest = null }: { call: CallView; identityAtRest?: IdentityAtRest | null }) {
  const session = useSession();
  const { e2ee, peer, peerTrust } = call;
  const keyChanged = peerTrust === 'changed' && (
    <p role="alert" className="warning">
      {peer}’s security key has changed since your last call. Compare the security code before you trust this call.
    </p>
  );
  if (!e2ee) {
    return (
      <div className="security" aria-label="Encryption">
        {call.inviteProblem && (
          <p role="alert" className="warning">
            This call could not be verified as coming from {peer}: {call.inviteProblem}. Someone may have altered it on the way. If you accept, it will fail.
          </p>
        )}
        {keyChanged}
        <p>{expectedEncryptionText(call.e2eeWanted, peer)}</p>
      </div>
    );
  }
  switch (e2ee.state) {
    case 'standard':
      return (
        <div className="security standard" aria-label="Encryption">
          {peerTrust === 'changed' && (
            <p role="alert" className="warning">
              {peer}’s security key has changed since your last call. This call is not end-to-end encrypted, so it has no security code to check: make sure it
              is really {peer} some other way before you say anything private.
            </p>
          )}
          <p role="status">
            <strong>Not end-to-end encrypted.</strong> {standardReasonText(e2ee.reason, peer)}
          </p>
          <p className="hint">The call uses standard encryption between each device and the server.</p>
        </div>
      );
    case 'handshaking':
      return (
        <div className="security" aria-label="Encryption">
          {keyChanged}
          <p role="status">Securing the call end to end…</p>
        </div>
      );
    case 'failed':
      return (
        <div className="security failed" aria-label="Encryption">
          <p role="alert">End-to-end encryption failed: {e2ee.reason}</p>
        </div>
      );
    case 'established': {
      // The peer's frames do not authenticate under the keys we agreed: our handshake was not with them.
      const undecryptable = call.counters !== null && call.counters.decrypted === 0 && (call.counters.dropped.auth ?? 0) >= UNDECRYPTABLE_FRAMES;
      return (
        <div className="security e2ee" aria-label="Encryption">
          {keyChanged}
          {undecryptable && (
            <p role="alert" className="warning">
              {peer}’s media cannot be decrypted with this call’s keys. Someone may be intercepting the call: compare the security code with {peer} before you
              say anything private.
            </p>
          )}
          <p role="status" className="e2ee-badge">
            <span aria-hidden="true">🔒</span> End-to-end encrypted, post-quantum
          </p>
          <p className="hint">
            Protected against recording for later decryption: the keys come from both X25519 and ML-KEM-768, so someone who records this call cannot decrypt it
            later, even with a quantum computer, unless both are broken.
          </p>
          <p>
            Security code: <output aria-label="Security code">{formatSecurityCode(e2ee.securityCode)}</output>
          </p>
          {session.host.kind === 'web' && (
            <>
              <p className="hint" aria-label="What the web client’s encryption covers">
                {WEB_CLIENT_TRUST}
              </p>
              {identityAtRest && (
                <p className="hint" aria-label="Your identity key in this browser">
                  {identityAtRest.description}
                </p>
              )}
            </>
          )}
          {peerTrust === 'verified' ? (
            <p className="verified">You verified {peer}.</p>
          ) : (
            <p className="hint">
              Read the code aloud with {peer}. If both screens show the same code, nobody is listening in.{' '}
              <button type="button" onClick={() => void session.calls.markPeerVerified()}>
                Mark {peer} as verified
              </button>
            </p>
          )}
        </div>
      );
    }
  }
}
