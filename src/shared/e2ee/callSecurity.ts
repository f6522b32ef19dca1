// The security side of a call, as the host (Electron main, or the web host in a browser) runs it
// behind the bridge channels identity.signLogin, call.checkInvite, call.prepare, e2ee.begin, e2ee.receive,
// contacts.markVerified and call.end (see shared/bridge.ts).
//
// One call at a time: preparing a call replaces (and wipes) any call not yet ended. The identity
// key and the handshake stay in here; the only key material that leaves is the pair of frame base
// keys, once, through `deliverKeys` — never in a returned value or an error message. The arrays
// handed to `deliverKeys` are zeroed when the call ends, so the host must copy or transfer them
// (postMessage does) rather than keep them.
import type { BridgeArgs, BridgeResult, E2eeStatus, E2eeStep, FrameKeysMessage, PeerTrust } from '../bridge';
import { fromBase64Url, toBase64Url } from '../encoding';
import { type CallRole, type E2eeDecision, loginChallengeBytes } from '../protocol';
import type { IdentitySigner } from '../crypto/identitySigner';
import { captureStatementBytes, decideCapture, type CaptureDecision, type CaptureRequest } from '../recordingPolicy';
import type { Settings } from '../settings';
import { decisionBytes, decisionOf, verifyDecision } from './decision';
import { CALL_HANDSHAKE_SUITE, CallHandshake, HandshakeError, type HandshakeStep } from './handshake';
import { InviteFreshness } from './inviteFreshness';

/** Pinned identity keys per contact: an encrypted file in main, browser storage in the web host. */
export interface TrustStore {
  get(handle: string): Promise<{ publicKey: string; verified: boolean } | null>;
  /** First contact, or the user accepted a new key: pins `publicKey` for `handle`. */
  pin(handle: string, publicKey: string): Promise<void>;
  /** Pins `publicKey` for `handle` as verified (the users compared security codes). */
  markVerified(handle: string, publicKey: string): Promise<void>;
  /** A key other than the pinned one was presented for `handle` (kept for a warning, not pinned). */
  sawChangedKey(handle: string, publicKey: string): Promise<void>;
}

export interface CallSecurityOptions {
  /** This device's identity: signs with its Ed25519 key, and gives the handshake's static secret. */
  identity: IdentitySigner;
  getSettings: () => Settings;
  trust: TrustStore;
  /** Hands a call's frame keys to the media worker (over the key port). */
  deliverKeys: (keys: FrameKeysMessage) => void;
  /** Randomness for the handshake's ephemeral keys; the platform's CSPRNG by default. */
  random?: (length: number) => Uint8Array;
  /** Whether the call history already holds this call id (an invite for it is a replay). */
  knownCall?: (callId: string) => boolean;
  /** The clock, ms since the epoch (Date.now by default): decisions are signed with it, invites checked against it. */
  now?: () => number;
}

type CallPrepareArgs = BridgeArgs<'call.prepare'>[0];
type CallPrepareResult = BridgeResult<'call.prepare'>;
type InviteCheckArgs = BridgeArgs<'call.checkInvite'>[0];
type InviteCheck = BridgeResult<'call.checkInvite'>;
type BeginArgs = BridgeArgs<'e2ee.begin'>[0];
type ReceiveArgs = BridgeArgs<'e2ee.receive'>[0];

/** How main's media-permission and recording policies see the call. */
export type CallE2eeState = 'pending' | 'active' | 'off' | 'failed';

interface CallRecord {
  readonly callId: string;
  readonly role: CallRole;
  readonly peerHandle: string;
  readonly peerKey: string;
  readonly peerKeyBytes: Uint8Array;
  peerTrust: PeerTrust;
  localDecision: E2eeDecision | null;
  /** preparing → prepared → handshaking → established, or standard, or failed. */
  status: E2eeStatus | { state: 'preparing' | 'prepared' };
  handshake: CallHandshake | null;
  /** The seq the next message from the peer must carry. */
  expectedSeq: number;
  keys: FrameKeysMessage | null;
}

/**
 * A call's E2EE state as those policies see it: the host's, and the renderer's for its disabled
 * controls, so that both give the same reason. A handshake starts only when both signed decisions
 * ask for end-to-end encryption; from there the call is end-to-end encrypted or fails, so it
 * counts as active.
 */
export const CALL_E2EE_STATE: Record<E2eeStatus['state'] | 'preparing' | 'prepared', CallE2eeState> = {
  preparing: 'pending',
  prepared: 'pending',
  handshaking: 'active',
  established: 'active',
  standard: 'off',
  failed: 'failed',
};

export class CallSecurity {
  private readonly identity: IdentitySigner;
  private readonly localKey: Uint8Array;
  private readonly getSettings: () => Settings;
  private readonly trust: TrustStore;
  private readonly deliverKeys: (keys: FrameKeysMessage) => void;
  private readonly random: ((length: number) => Uint8Array) | undefined;
  private readonly now: () => number;
  private readonly invites: InviteFreshness;
  private call: CallRecord | null = null;

  constructor(options: CallSecurityOptions) {
    this.identity = options.identity;
    this.localKey = options.identity.publicKey.slice();
    this.getSettings = options.getSettings;
    this.trust = options.trust;
    this.deliverKeys = options.deliverKeys;
    this.random = options.random;
    this.now = options.now ?? (() => Date.now());
    this.invites = new InviteFreshness({ knownCall: options.knownCall, now: this.now });
  }

  /** This device's identity key as unpadded base64url. */
  get publicKey(): string {
    return toBase64Url(this.localKey);
  }

  /** Signs the login challenge of the server at `origin` (as the client dialled it). */
  async signLogin({ nonce, origin }: { nonce: string; origin: string }): Promise<string> {
    return toBase64Url(await this.identity.sign(loginChallengeBytes(origin, nonce)));
  }

  /**
   * Whether an invite that just arrived may ring (see inviteFreshness.ts): the caller's decision is
   * checked against the key the invite names and this device's own key, its time and its call id.
   */
  checkInvite({ callId, peerKey, decision }: InviteCheckArgs): InviteCheck {
    return this.invites.check({ callId, decision, callerKey: decodePublicKey(peerKey), calleeKey: this.localKey });
  }

  /**
   * Starts a call: checks the peer's key against the pinned one (pinning it on first contact; a
   * different key is reported as 'changed' and left for the user to accept) and signs this side's
   * decision from the current E2EE setting.
   */
  async prepare(args: CallPrepareArgs): Promise<CallPrepareResult> {
    const peerKeyBytes = decodePublicKey(args.peerKey);
    if (this.call) this.end(this.call.callId);
    const call: CallRecord = {
      callId: args.callId,
      role: args.role,
      peerHandle: args.peerHandle,
      peerKey: args.peerKey,
      peerKeyBytes,
      peerTrust: 'new',
      localDecision: null,
      status: { state: 'preparing' },
      handshake: null,
      expectedSeq: 0,
      keys: null,
    };
    this.call = call;
    try {
      call.peerTrust = await this.checkPeerKey(args.peerHandle, args.peerKey);
    } catch (error) {
      if (this.call === call) this.call = null;
      throw error;
    }
    if (this.call !== call) throw new Error('the call ended while it was being prepared');
    const fields = {
      callId: args.callId,
      role: args.role,
      e2ee: this.getSettings().e2ee,
      signerKey: this.localKey,
      peerKey: peerKeyBytes,
      handshake: CALL_HANDSHAKE_SUITE,
      issuedAt: this.now(),
    };
    const signature = await this.identity.sign(decisionBytes(fields));
    if (this.call !== call) throw new Error('the call ended while it was being prepared');
    call.localDecision = decisionOf(fields, signature);
    call.status = { state: 'prepared' };
    return { decision: call.localDecision, peerTrust: call.peerTrust };
  }

  /** Both decisions are known: checks the peer's and decides between E2EE and standard. */
  begin({ callId, peerDecision }: BeginArgs): E2eeStep {
    const call = this.callFor(callId);
    if (call.status.state !== 'prepared' || !call.localDecision) {
      throw new Error(call.status.state === 'preparing' ? 'e2ee.begin before call.prepare finished' : 'e2ee.begin was already called for this call');
    }
    const peerRole: CallRole = call.role === 'caller' ? 'callee' : 'caller';
    const check = verifyDecision(peerDecision, { callId, expectedRole: peerRole, signerKey: call.peerKeyBytes, peerKey: this.localKey });
    if (!check.ok) return this.fail(call, `The other side's end-to-end encryption setting could not be verified (${check.reason}).`);

    const local = call.localDecision.e2ee;
    if (!local || !peerDecision.e2ee) {
      call.status = { state: 'standard', reason: !local && !peerDecision.e2ee ? 'both-off' : local ? 'peer-off' : 'local-off' };
      return { status: call.status, send: null };
    }

    const [callerDecision, calleeDecision] = call.role === 'caller' ? [call.localDecision, peerDecision] : [peerDecision, call.localDecision];
    const random = this.random;
    const staticSecret = this.identity.handshakeSecret();
    try {
      call.handshake = new CallHandshake({
        callId,
        role: call.role,
        staticSecret,
        localKey: this.localKey,
        peerKey: call.peerKeyBytes,
        callerDecision,
        calleeDecision,
        generateEphemeral: random && (() => random(32)),
        generateKemSeed: random && (() => random(64)),
        generateEncapsulationRandomness: random && (() => random(32)),
      });
      call.status = { state: 'handshaking' };
      const first = call.handshake.start();
      if (!first) return { status: call.status, send: null };
      call.expectedSeq = 1;
      return { status: call.status, send: { seq: 0, payload: toBase64Url(first) } };
    } catch (error) {
      return this.fail(call, error instanceof HandshakeError ? sentence(error.message) : 'The end-to-end encryption handshake could not start.');
    } finally {
      staticSecret.fill(0);
    }
  }

  /** One handshake message from the peer. Completing the handshake delivers the frame keys. */
  receive({ callId, message }: ReceiveArgs): E2eeStep {
    const call = this.callFor(callId);
    if (call.status.state === 'failed') return { status: call.status, send: null };
    if (call.status.state !== 'handshaking' || !call.handshake) {
      const during =
        call.status.state === 'standard'
          ? 'a call without end-to-end encryption'
          : call.status.state === 'established'
            ? 'a call whose handshake had completed'
            : 'a call whose E2EE decisions were not checked yet';
      return this.fail(call, `An end-to-end encryption handshake message arrived during ${during}.`);
    }
    if (message.seq !== call.expectedSeq) {
      return this.fail(call, `Handshake message ${message.seq + 1} arrived where message ${call.expectedSeq + 1} was expected.`);
    }
    let step: HandshakeStep;
    try {
      step = call.handshake.receive(fromBase64Url(message.payload));
    } catch (error) {
      return this.fail(call, error instanceof HandshakeError ? sentence(error.message) : 'The handshake message could not be read.');
    }
    const send = step.reply ? { seq: call.expectedSeq + 1, payload: toBase64Url(step.reply) } : null;
    call.expectedSeq += 2;
    if (!step.result) return { status: call.status, send };

    call.handshake = null;
    const keys: FrameKeysMessage = {
      type: 'frame-keys',
      callId,
      localSender: call.role === 'caller' ? 0 : 1,
      sendBaseKey: step.result.sendBaseKey,
      receiveBaseKey: step.result.receiveBaseKey,
    };
    call.keys = keys;
    try {
      this.deliverKeys(keys);
    } catch {
      return this.fail(call, 'The frame keys could not be handed to the media engine.');
    }
    call.status = { state: 'established', securityCode: step.result.securityCode, peerTrust: call.peerTrust };
    return { status: call.status, send };
  }

  /**
   * Marks a contact's key verified. Only the key pinned for that contact, or the key the current
   * end-to-end encrypted call authenticated, can be verified.
   */
  async markVerified(handle: string, publicKey: string): Promise<PeerTrust> {
    const call = this.call;
    const inThisCall = call?.status.state === 'established' && call.peerHandle === handle && call.peerKey === publicKey;
    if (!inThisCall && (await this.trust.get(handle))?.publicKey !== publicKey) {
      throw new Error('Only the key pinned for this contact, or the key of the current end-to-end encrypted call, can be marked verified.');
    }
    await this.trust.markVerified(handle, publicKey);
    if (call && this.call === call && call.peerHandle === handle && call.peerKey === publicKey) {
      call.peerTrust = 'verified';
      if (call.status.state === 'established') call.status = { ...call.status, peerTrust: 'verified' };
    }
    return 'verified';
  }

  /** The call is over on this device: zero its handshake state and frame keys. */
  end(callId: string): void {
    const call = this.call;
    if (!call || call.callId !== callId) return;
    call.handshake?.wipe();
    call.handshake = null;
    call.keys?.sendBaseKey.fill(0);
    call.keys?.receiveBaseKey.fill(0);
    call.keys = null;
    this.call = null;
  }

  activeCall(): { callId: string; e2ee: CallE2eeState } | null {
    return this.call ? { callId: this.call.callId, e2ee: CALL_E2EE_STATE[this.call.status.state] } : null;
  }

  /**
   * The recording policy on this engine's own view of the call; when it allows, the capture
   * statement the server requires, signed with the identity key (shared/recordingPolicy.ts).
   */
  async authorizeCapture(request: CaptureRequest): Promise<CaptureDecision> {
    const verdict = decideCapture(request, this.activeCall());
    if (!verdict.allowed) return verdict;
    return { allowed: true, statement: toBase64Url(await this.identity.sign(captureStatementBytes(request, this.localKey))) };
  }

  private async checkPeerKey(handle: string, publicKey: string): Promise<PeerTrust> {
    const pinned = await this.trust.get(handle);
    if (!pinned) {
      await this.trust.pin(handle, publicKey);
      return 'new';
    }
    if (pinned.publicKey !== publicKey) {
      await this.trust.sawChangedKey(handle, publicKey);
      return 'changed';
    }
    return pinned.verified ? 'verified' : 'pinned';
  }

  private callFor(callId: string): CallRecord {
    if (!this.call || this.call.callId !== callId) throw new Error('no call in progress with this id');
    return this.call;
  }

  private fail(call: CallRecord, reason: string): E2eeStep {
    call.handshake?.wipe();
    call.handshake = null;
    call.status = { state: 'failed', reason: reason.slice(0, 300) };
    return { status: call.status, send: null };
  }
}

function decodePublicKey(publicKey: string): Uint8Array {
  const bytes = fromBase64Url(publicKey);
  if (bytes.length !== 32) throw new Error('a public key is 32 bytes');
  return bytes;
}

/** A HandshakeError message as a status line. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}
