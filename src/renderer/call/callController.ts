// Runs calls for the UI: dialing, ringing, answering, the end-to-end encryption decision and
// handshake (through the host), the media (through CallMedia), and the end of the call with the
// reason both sides are told. The UI calls its methods and renders the store; it holds no call
// logic of its own.
import { CallMedia } from '../media/callMedia';
import { FrameEncryption } from '../media/frameEncryption';
import type { ContactsController } from '../contacts/contactsController';
import type { HostBridge } from '../host/bridge';
import { hostErrorText } from '../host/hostError';
import type { ServerConnection } from '../signaling/serverConnection';
import { getState, setState, updateCall, type CallE2eeView, type CallView, type EndedCallView } from '../store/appStore';
import type { Sounds } from '../ui/sounds';
import type { BridgeResult, E2eeStatus, E2eeStep, HandshakeMessage, InviteCheck } from '../../shared/bridge';
import { outcomeOf } from '../../shared/contacts/callHistory';
import { toBase64Url } from '../../shared/encoding';
import type { CallId, E2eeDecision, EndReason, ServerMessage } from '../../shared/protocol';
import { audioProcessingOf, DEFAULT_SETTINGS, type AudioProcessing } from '../../shared/settings';
import { SignalingError } from '../../shared/signalingClient';

/** The handshake must finish this soon after the call is accepted, or the call fails. */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/**
 * An incoming call stops ringing here after this long even if the server never says it ended (a
 * call it no longer knows, a lost message): a little above the server's ring timeout (45 s by default).
 */
const RING_TIMEOUT_MS = 60_000;
const STATS_INTERVAL_MS = 1000;

type CallPrepared = BridgeResult<'call.prepare'>;

interface LiveCall {
  readonly id: CallId;
  readonly role: 'caller' | 'callee';
  readonly peer: string;
  readonly peerKey: string;
  readonly video: boolean;
  readonly localDecision: E2eeDecision;
  /** When the call was dialed or started ringing here (ms since the epoch). */
  readonly startedAt: number;
  /** The caller's decision, known to the callee from the invite. */
  peerDecision: E2eeDecision | null;
  media: CallMedia | null;
  encryption: FrameEncryption | null;
  /**
   * The frame worker, started while the call rings when this side has E2EE on, so that it is ready
   * the moment both decisions are known (closed unused if the call turns out standard).
   */
  preparedEncryption: Promise<FrameEncryption> | null;
  /** E2EE steps run one after another, in the order the server delivered them. */
  e2eeQueue: Promise<void>;
  handshakeTimer: ReturnType<typeof setTimeout> | null;
  ringTimer: ReturnType<typeof setTimeout> | null;
  statsTimer: ReturnType<typeof setInterval> | null;
  /** Why this side is ending the call, kept for the ended screen until the server confirms. */
  endDetail: string | null;
  ended: boolean;
}

/** An invite being checked or prepared, and the server's end of its call if that came meanwhile. */
interface Arrival {
  end: { reason: EndReason; by: string | null } | null;
}

function withoutPeerTrust({ peerTrust: _peerTrust, ...status }: Extract<E2eeStatus, { state: 'established' }>): CallE2eeView {
  return status;
}

function newCallId(): CallId {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export class CallController {
  private call: LiveCall | null = null;
  /**
   * A call is being set up (dialing's lookup, or the host's call.prepare) and `call` is not set yet:
   * the host keeps one call, so no other may start meanwhile.
   */
  private starting = false;
  /**
   * Invites being checked or prepared, not yet shown: the server's end of such a call is kept here
   * (a caller who cancels at once), so that it does not ring on for a call that is over.
   */
  private readonly arriving = new Map<CallId, Arrival>();

  constructor(
    private readonly host: HostBridge,
    private readonly server: ServerConnection,
    private readonly sounds: Sounds,
    private readonly contacts: ContactsController,
  ) {
    server.onMessage((message) => this.onServerMessage(message));
    server.onSession((session) => {
      // After a reconnect the server says whether our call survived the lost connection.
      const call = this.call;
      if (call && session.activeCallId !== call.id) this.finish(call, 'disconnected', true, null);
    });
    host.onEvent((event) => {
      // A link never dials by itself: the user is asked "Call <handle>?" first.
      if (event.type === 'dial') setState({ dialRequest: event.handle });
      else if (event.type === 'accept-call' && this.call?.id === event.callId) void this.accept();
      else if (event.type === 'decline-call' && this.call?.id === event.callId) this.decline();
      else if (event.type === 'toggle-mute') this.toggleMute();
    });
  }

  // ---- actions from the UI ------------------------------------------------------------------------

  /**
   * Dials a handle. With a changed peer key, stops at 'confirm-key-change' until `confirmKeyChange`,
   * unless that key is `options.confirmedKey` (the user just confirmed it).
   */
  async dial(handle: string, options: { video: boolean; confirmedKey?: string }): Promise<void> {
    if (this.call || this.starting) return this.notice('You are already in a call.');
    setState({ lastEnded: null, notice: null });
    const me = getState().identity?.handle;
    if (handle === me) return this.notice('You cannot call yourself.');
    // The slot is ours from here: an invite arriving meanwhile is declined, a second dial refused.
    this.starting = true;
    let call: LiveCall;
    let prepared: CallPrepared;
    try {
      let peerKey: string;
      try {
        const result = await this.server.request({ type: 'lookup', handle });
        if (result.type !== 'lookup.result') throw new Error('unexpected answer');
        if (!result.publicKey) return this.notice(`No one is registered as “${handle}”.`);
        peerKey = result.publicKey;
      } catch (error) {
        return this.notice(`Could not reach the server: ${(error as Error).message}`);
      }
      const id = newCallId();
      try {
        prepared = await this.host.calls['call.prepare']({ callId: id, role: 'caller', peerHandle: handle, peerKey });
      } catch (error) {
        return this.notice(`The call to ${handle} could not be set up: ${hostErrorText(error)}`);
      }
      call = this.track({ id, role: 'caller', peer: handle, peerKey, video: options.video, localDecision: prepared.decision });
    } finally {
      this.starting = false;
    }
    const confirm = prepared.peerTrust === 'changed' && call.peerKey !== options.confirmedKey;
    this.show(call, { direction: 'outgoing', phase: confirm ? 'confirm-key-change' : 'dialing', peerTrust: prepared.peerTrust });
    if (!confirm) await this.invite(call);
  }

  /** The user confirmed the call a softphone:// link asked for. */
  async confirmDialRequest(): Promise<void> {
    const handle = getState().dialRequest;
    if (!handle) return;
    setState({ dialRequest: null });
    await this.dial(handle, { video: false });
  }

  /** The user turned down the call a softphone:// link asked for. */
  cancelDialRequest(): void {
    setState({ dialRequest: null });
  }

  /**
   * The user chose to call although the peer's key changed. The call is set up afresh: its decision
   * was signed when the warning came up, maybe minutes ago, and a callee rings only for an invite
   * signed within the last two minutes (shared/e2ee/inviteFreshness.ts).
   */
  async confirmKeyChange(): Promise<void> {
    const call = this.call;
    if (!call || getState().call?.phase !== 'confirm-key-change') return;
    this.discard(call);
    await this.dial(call.peer, { video: call.video, confirmedKey: call.peerKey });
  }

  async accept(): Promise<void> {
    const call = this.call;
    if (!call || call.role !== 'callee' || getState().call?.phase !== 'incoming') return;
    this.sounds.stop();
    updateCall(call.id, { phase: 'connecting' });
    try {
      await this.server.request({ type: 'call.accept', callId: call.id, decision: call.localDecision });
    } catch (error) {
      this.finish(call, 'failed', true, (error as Error).message);
    }
  }

  decline(): void {
    const call = this.call;
    if (!call || call.role !== 'callee') return;
    // The server's call.ended finishes the call. A refusal (no-such-call: the server no longer
    // knows it, or never did), no answer or no connection must not leave the screen ringing.
    this.server.request({ type: 'call.decline', callId: call.id }).catch(() => this.finish(call, 'declined', true, null));
  }

  /** Hangs up, cancels a call that is still ringing, or abandons one awaiting key-change confirmation. */
  hangUp(): void {
    const call = this.call;
    if (!call) return;
    const phase = getState().call?.phase;
    if (phase === 'confirm-key-change') return this.finish(call, 'cancelled', true, null);
    if (phase === 'incoming') return this.decline();
    const ringing = phase === 'dialing' || phase === 'ringing';
    this.sendOrEnd(call, { type: ringing ? 'call.cancel' : 'call.hangup', callId: call.id }, ringing ? 'cancelled' : 'hangup');
  }

  toggleMute(): void {
    const call = this.call;
    const view = getState().call;
    if (!call || !view) return;
    call.media?.setSendState({ muted: !view.muted });
    updateCall(call.id, { muted: !view.muted });
  }

  /** Puts the call on hold (nothing sent, nothing played) or resumes it; the peer is told and stops sending too. */
  toggleHold(): void {
    const call = this.call;
    const view = getState().call;
    if (!call || !view || (view.phase !== 'active' && view.phase !== 'connecting')) return;
    const onHold = !view.onHold;
    try {
      this.server.send({ type: 'call.hold', callId: call.id, onHold });
    } catch {
      return this.notice('Not connected to the server: the call cannot be put on hold now.');
    }
    call.media?.setSendState({ onHold });
    updateCall(call.id, { onHold });
  }

  toggleCamera(): void {
    const call = this.call;
    const view = getState().call;
    if (!call || !view?.video) return;
    call.media?.setSendState({ cameraOff: !view.cameraOff });
    updateCall(call.id, { cameraOff: !view.cameraOff });
  }

  /**
   * Shares a screen or window in place of the camera (video calls only): the browser's own picker
   * chooses it on the web; in the desktop app main hands over the source the user chose in the
   * app's picker. Cancelling the picker changes nothing.
   */
  async shareScreen(): Promise<void> {
    const call = this.call;
    const view = getState().call;
    if (!call?.media || !view?.video || view.sharingScreen) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      // NotAllowedError: the user cancelled the picker (or the host refused it).
      if (error instanceof DOMException && error.name === 'NotAllowedError') return;
      return this.notice(`The screen could not be shared: ${error instanceof Error ? error.message : String(error)}`);
    }
    const [track, ...others] = stream.getTracks();
    for (const other of others) other.stop();
    if (!track) return;
    if (this.call !== call || call.ended || !call.media) return track.stop();
    try {
      await call.media.shareScreen(track);
    } catch (error) {
      return this.notice(`The screen could not be shared: ${error instanceof Error ? error.message : String(error)}`);
    }
    updateCall(call.id, { sharingScreen: true });
  }

  /** Stops sharing the screen: the camera goes back on. */
  async stopScreenShare(): Promise<void> {
    const call = this.call;
    if (!call) return;
    updateCall(call.id, { sharingScreen: false });
    await call.media?.stopScreenShare();
  }

  /** Changes the call's microphone processing now (keeping the choice is AppSession.updateSettings's job). */
  async setAudioProcessing(processing: AudioProcessing): Promise<void> {
    await this.call?.media?.setAudioProcessing(processing);
  }

  /** Switches the call's microphone now (keeping the choice is AppSession.updateSettings's job). */
  async switchMicrophone(deviceId: string | null): Promise<void> {
    await this.call?.media?.switchMicrophone(deviceId);
  }

  async markPeerVerified(): Promise<void> {
    const call = this.call;
    if (!call) return;
    const peerTrust = await this.host.calls['contacts.markVerified']({ handle: call.peer, publicKey: call.peerKey });
    updateCall(call.id, { peerTrust });
  }

  dismissEnded(): void {
    setState({ lastEnded: null });
  }

  // ---- server messages ----------------------------------------------------------------------------

  private onServerMessage(message: ServerMessage): void {
    if (message.type === 'call.incoming') return void this.incoming(message);
    if (message.type === 'call.missed') return void this.recordMissed(message);
    if (message.type === 'call.ended') {
      const arrival = this.arriving.get(message.callId);
      if (arrival) arrival.end = { reason: message.reason, by: message.by ?? null };
    }
    if (!('callId' in message)) return;
    const call = this.call;
    if (!call || call.id !== message.callId) return;
    switch (message.type) {
      case 'call.ringing':
        updateCall(call.id, { phase: 'ringing' });
        this.sounds.ringback(getState().settings);
        break;
      case 'call.accepted':
        this.sounds.stop();
        updateCall(call.id, { phase: 'connecting' });
        this.enqueue(call, () => this.begin(call, message.decision, message.roomE2ee));
        break;
      case 'call.hold':
        // The peer plays nothing while it holds the call: this side stops sending too.
        call.media?.setSendState({ peerOnHold: message.onHold });
        updateCall(call.id, { peerOnHold: message.onHold });
        break;
      case 'call.active':
        updateCall(call.id, { phase: 'active', activeSince: Date.now() });
        break;
      case 'call.ended':
        this.finish(call, message.reason, message.by === getState().identity?.handle, null);
        break;
      case 'media.subscribe-offer':
        this.enqueue(call, async () => {
          await call.media?.subscribe(message.jsep);
        });
        break;
      case 'e2ee.handshake':
        this.enqueue(call, async () => {
          const message_: HandshakeMessage = { seq: message.seq, payload: message.payload };
          this.applyStep(call, await this.host.calls['e2ee.receive']({ callId: call.id, message: message_ }));
        });
        break;
      default:
        // Recording and transcription news is the capture controller's; media answers come back
        // to the request that asked.
        break;
    }
  }

  private async incoming(message: Extract<ServerMessage, { type: 'call.incoming' }>): Promise<void> {
    // The same invite again (resent by someone on the path): the call it is for goes on as it was.
    if (this.call?.id === message.callId || this.arriving.has(message.callId)) return;
    const arrival: Arrival = { end: null };
    this.arriving.set(message.callId, arrival);
    try {
      await this.arrive(message, arrival);
    } finally {
      this.arriving.delete(message.callId);
    }
  }

  private async arrive(message: Extract<ServerMessage, { type: 'call.incoming' }>, arrival: Arrival): Promise<void> {
    // Read anew after each await: the server's call.ended may have come meanwhile.
    const endedMeanwhile = (): Arrival['end'] => arrival.end;
    let check: InviteCheck;
    try {
      check = await this.host.calls['call.checkInvite']({
        callId: message.callId,
        peerHandle: message.from,
        peerKey: message.fromKey,
        decision: message.decision,
      });
    } catch (error) {
      if (this.server.online) this.server.send({ type: 'call.decline', callId: message.callId });
      return this.notice(`The call from ${message.from} could not be taken: ${hostErrorText(error)}`);
    }
    if (check.verdict === 'replayed' || check.verdict === 'stale') {
      // Not a live call: it never rings, and it is not answered either (a decline for a replayed
      // call id could end the real call with that id).
      console.warn(`An invite from ${message.from} did not ring: ${check.reason ?? check.verdict}.`);
      return;
    }
    if (endedMeanwhile() || this.call?.id === message.callId) return;
    // The server rings only someone it sees free: a call still ringing here is one it no longer
    // knows (its end was lost, or it never knew it). A live invite takes its place; an invite that
    // does not verify never pushes a real call aside.
    const current = this.call;
    const phantom = current && check.verdict === 'live' && current.role === 'callee' && getState().call?.phase === 'incoming' ? current : null;
    if ((current && !phantom) || this.starting) {
      // A race (one we are dialing or preparing, or one in progress): decline it.
      this.server.send({ type: 'call.decline', callId: message.callId });
      return;
    }
    if (phantom) this.finish(phantom, 'no-answer', false, null);
    this.starting = true;
    let prepared: CallPrepared;
    try {
      prepared = await this.host.calls['call.prepare']({
        callId: message.callId,
        role: 'callee',
        peerHandle: message.from,
        peerKey: message.fromKey,
      });
    } catch (error) {
      // Not left ringing on the caller's side: this device cannot take the call.
      if (this.server.online) this.server.send({ type: 'call.decline', callId: message.callId });
      return this.notice(`The call from ${message.from} could not be taken: ${hostErrorText(error)}`);
    } finally {
      this.starting = false;
    }
    const call = this.track({
      id: message.callId,
      role: 'callee',
      peer: message.from,
      peerKey: message.fromKey,
      video: message.video,
      localDecision: prepared.decision,
    });
    call.peerDecision = message.decision;
    // Over while it was being prepared: into the history and the ended notice, without a ring.
    const end = endedMeanwhile();
    if (end) return this.finish(call, end.reason, end.by === getState().identity?.handle, null);
    setState({ lastEnded: null, notice: null });
    this.show(call, {
      direction: 'incoming',
      phase: 'incoming',
      peerTrust: prepared.peerTrust,
      inviteProblem: check.verdict === 'unverified' ? check.reason : null,
    });
    this.sounds.ring(getState().settings);
    call.ringTimer = setTimeout(() => {
      if (getState().call?.callId === call.id && getState().call?.phase === 'incoming') this.finish(call, 'no-answer', false, null);
    }, RING_TIMEOUT_MS);
  }

  // ---- call steps ---------------------------------------------------------------------------------

  private track(fields: Pick<LiveCall, 'id' | 'role' | 'peer' | 'peerKey' | 'video' | 'localDecision'>): LiveCall {
    const call: LiveCall = {
      ...fields,
      startedAt: Date.now(),
      peerDecision: null,
      media: null,
      encryption: null,
      preparedEncryption: null,
      e2eeQueue: Promise.resolve(),
      handshakeTimer: null,
      ringTimer: null,
      statsTimer: null,
      endDetail: null,
      ended: false,
    };
    this.call = call;
    this.prepareEncryption(call);
    return call;
  }

  private show(call: LiveCall, fields: Pick<CallView, 'direction' | 'phase' | 'peerTrust'> & Partial<Pick<CallView, 'inviteProblem'>>): void {
    setState({
      call: {
        callId: call.id,
        peer: call.peer,
        video: call.video,
        e2ee: null,
        e2eeWanted: { mine: call.localDecision.e2ee, peer: call.peerDecision?.e2ee ?? null },
        muted: false,
        onHold: false,
        peerOnHold: false,
        cameraOff: false,
        sharingScreen: false,
        activeSince: null,
        counters: null,
        stats: null,
        remoteStream: null,
        inviteProblem: null,
        ...fields,
      },
    });
  }

  private async invite(call: LiveCall): Promise<void> {
    try {
      const answer = await this.server.request({
        type: 'call.invite',
        callId: call.id,
        to: call.peer,
        video: call.video,
        decision: call.localDecision,
      });
      // A refused invite (busy, offline, …) comes back as call.ended and is handled there.
      if (answer.type === 'call.ended') this.finish(call, answer.reason, false, null);
    } catch (error) {
      if (error instanceof SignalingError && error.code === 'rate-limited') {
        // The server's limit on calls: its message says it plainly ("Too many calls to bob: try
        // again in 40 seconds"); the call never rang, so there is no ended call to show.
        this.finish(call, 'failed', true, error.message);
        setState({ lastEnded: null });
        return this.notice(error.message);
      }
      this.finish(call, 'failed', true, (error as Error).message);
    }
  }

  /** Both decisions are known: settle the mode, start the handshake, publish media. */
  private async begin(call: LiveCall, acceptedDecision: E2eeDecision, roomE2ee: boolean): Promise<void> {
    const peerDecision = call.role === 'caller' ? acceptedDecision : call.peerDecision;
    if (!peerDecision) return this.fail(call, 'the caller’s end-to-end encryption setting is missing');
    call.peerDecision = peerDecision;
    // The microphone opens while the host settles the mode (and makes the first handshake message).
    const media = this.createMedia(call);
    void media.capture();
    const step = await this.host.calls['e2ee.begin']({ callId: call.id, peerDecision });
    const e2ee = step.status.state !== 'standard';
    if (step.status.state !== 'failed' && e2ee !== roomE2ee) {
      return this.fail(
        call,
        roomE2ee
          ? 'the server set this call up as end-to-end encrypted, which the signed settings do not allow'
          : 'the server tried to carry this call without end-to-end encryption although both sides have it on',
      );
    }
    this.applyStep(call, step);
    if (call.ended || step.status.state === 'failed') return;
    const prepared = call.preparedEncryption;
    call.preparedEncryption = null;
    if (e2ee) {
      call.handshakeTimer = setTimeout(() => this.fail(call, 'the end-to-end encryption handshake did not finish in time'), HANDSHAKE_TIMEOUT_MS);
      call.encryption = await (prepared ?? this.startEncryption(call));
      if (call.ended) return call.encryption.close();
    } else {
      void prepared?.then((unused) => unused.close());
    }
    media.useEncryption(call.encryption);
    // Not awaited: the handshake's next messages (queued behind this step) must not wait for the
    // publish round trip. publishMedia ends the call itself if it fails.
    void this.publishMedia(call, media);
  }

  private async startEncryption(call: LiveCall): Promise<FrameEncryption> {
    return new FrameEncryption(await this.host.keyPort(call.id), (message) => console.warn('E2EE worker:', message));
  }

  /** Starts the frame worker while the call rings, if this side signed for E2EE. */
  private prepareEncryption(call: LiveCall): void {
    if (!call.localDecision.e2ee) return;
    call.preparedEncryption = this.startEncryption(call);
    call.preparedEncryption.catch(() => undefined);
  }

  private applyStep(call: LiveCall, step: E2eeStep): void {
    if (call.ended) return;
    // The peer's trust is the one from call.prepare, kept in CallView.peerTrust (the host's status
    // repeats it).
    const e2ee: CallE2eeView = step.status.state === 'established' ? withoutPeerTrust(step.status) : step.status;
    updateCall(call.id, { e2ee });
    if (step.send) this.server.send({ type: 'e2ee.handshake', callId: call.id, seq: step.send.seq, payload: step.send.payload });
    if (step.status.state === 'established') {
      if (call.handshakeTimer) clearTimeout(call.handshakeTimer);
    } else if (step.status.state === 'failed') {
      this.fail(call, step.status.reason);
    }
  }

  private createMedia(call: LiveCall): CallMedia {
    const settings = getState().settings;
    const media = new CallMedia({
      video: call.video,
      audioInputId: settings?.audioInputId ?? null,
      videoInputId: settings?.videoInputId ?? null,
      audioProcessing: audioProcessingOf(settings ?? DEFAULT_SETTINGS),
      signals: {
        publish: async (offer) => {
          const answer = await this.server.request({ type: 'media.publish', callId: call.id, jsep: offer, e2ee: call.encryption !== null });
          if (answer.type !== 'media.answer') throw new Error('unexpected answer to publish');
          return answer.jsep;
        },
        subscribeAnswer: (answer) => this.server.send({ type: 'media.subscribe-answer', callId: call.id, jsep: answer }),
        trickle: (leg, candidate) => {
          if (this.server.online) this.server.send({ type: 'media.trickle', callId: call.id, leg, candidate });
        },
      },
      onRemoteStream: (stream) => updateCall(call.id, { remoteStream: stream }),
      // The media path is gone for good (ICE failed): end the call with the reason rather than sit silent.
      onFailure: (message) => this.sendOrEnd(call, { type: 'call.fail', callId: call.id, reason: 'failed' }, 'failed', message),
      onMicrophoneReplaced: (message) => this.notice(message),
      onScreenShareEnded: () => updateCall(call.id, { sharingScreen: false }),
    });
    // Mute, hold or camera-off chosen before the media existed (while dialing or ringing) must hold
    // from the first frame: the store is what the buttons show.
    const view = getState().call;
    if (view?.callId === call.id) media.setSendState({ muted: view.muted, onHold: view.onHold, peerOnHold: view.peerOnHold, cameraOff: view.cameraOff });
    call.media = media;
    return media;
  }

  private async publishMedia(call: LiveCall, media: CallMedia): Promise<void> {
    try {
      await media.publish();
    } catch (error) {
      if (call.ended) return;
      const detail = error instanceof DOMException ? `microphone unavailable: ${error.message}` : (error as Error).message;
      this.sendOrEnd(call, { type: 'call.fail', callId: call.id, reason: 'failed' }, 'failed', detail);
      return;
    }
    call.statsTimer = setInterval(() => void this.refreshStats(call), STATS_INTERVAL_MS);
  }

  private async refreshStats(call: LiveCall): Promise<void> {
    const [stats, counters] = await Promise.all([call.media?.stats(), call.encryption?.counters()]);
    if (!call.ended) updateCall(call.id, { stats: stats ?? null, counters: counters ?? null });
  }

  /** Runs the call's signaling steps in order; a step that throws ends the call as failed. */
  private enqueue(call: LiveCall, step: () => Promise<void>): void {
    call.e2eeQueue = call.e2eeQueue.then(step).catch((error: unknown) => {
      if (call.ended) return;
      const detail = hostErrorText(error);
      if (getState().call?.e2ee?.state === 'handshaking') this.fail(call, detail);
      else this.sendOrEnd(call, { type: 'call.fail', callId: call.id, reason: 'failed' }, 'failed', detail);
    });
  }

  /**
   * This side cannot set up or keep end-to-end encryption for the call: tell the server (which
   * tells the peer) and end it with reason 'e2ee-failed'.
   */
  private fail(call: LiveCall, detail: string): void {
    if (call.ended) return;
    updateCall(call.id, { e2ee: { state: 'failed', reason: detail } });
    this.sendOrEnd(call, { type: 'call.fail', callId: call.id, reason: 'e2ee-failed' }, 'e2ee-failed', detail);
  }

  /** Sends an ending request; the server's call.ended finishes the call, or we finish it if offline. */
  private sendOrEnd(
    call: LiveCall,
    message: { type: 'call.decline' | 'call.cancel' | 'call.hangup'; callId: CallId } | { type: 'call.fail'; callId: CallId; reason: 'e2ee-failed' | 'failed' },
    reason: EndReason,
    detail: string | null = null,
  ): void {
    call.endDetail = detail ?? call.endDetail;
    try {
      this.server.send(message);
    } catch (error) {
      if (!(error instanceof SignalingError)) throw error;
      this.finish(call, reason, true, detail);
    }
  }

  /** Lets go of a call that never reached the server: no history entry, no ended screen. */
  private discard(call: LiveCall): void {
    this.release(call);
    if (getState().call?.callId === call.id) setState({ call: null });
  }

  private finish(call: LiveCall, reason: EndReason, byMe: boolean, detail: string | null): void {
    if (call.ended) return;
    this.release(call);
    const view = getState().call;
    const answeredAt = view?.callId === call.id ? view.activeSince : null;
    void this.contacts
      .record({
        callId: call.id,
        peer: call.peer,
        direction: call.role === 'caller' ? 'outgoing' : 'incoming',
        startedAt: call.startedAt,
        answeredAt,
        endedAt: Date.now(),
        outcome: outcomeOf({ direction: call.role === 'caller' ? 'outgoing' : 'incoming', answered: answeredAt !== null, reason, byMe }),
        endReason: reason,
        e2ee: view?.callId === call.id && view.e2ee?.state === 'established',
        video: call.video,
        seen: false,
      })
      .then(() => this.contacts.refreshContacts())
      .catch((error: unknown) => console.warn('could not record the call in the history:', error));
    const ended: EndedCallView = {
      callId: call.id,
      direction: call.role === 'caller' ? 'outgoing' : 'incoming',
      peer: call.peer,
      reason,
      byMe,
      detail: detail ?? call.endDetail,
    };
    setState({ call: null, lastEnded: ended });
  }

  /** Stops everything the call holds, here and in the host. */
  private release(call: LiveCall): void {
    call.ended = true;
    if (this.call === call) this.call = null;
    if (call.handshakeTimer) clearTimeout(call.handshakeTimer);
    if (call.ringTimer) clearTimeout(call.ringTimer);
    if (call.statsTimer) clearInterval(call.statsTimer);
    call.media?.close();
    call.encryption?.close();
    void call.preparedEncryption?.then(
      (unused) => unused.close(),
      () => undefined,
    );
    this.sounds.stop();
    void this.host.calls['call.end']({ callId: call.id }).catch(() => undefined);
  }

  /** A call the server did not ring us for (do-not-disturb, busy): it goes into the history as missed. */
  private async recordMissed(message: Extract<ServerMessage, { type: 'call.missed' }>): Promise<void> {
    const now = Date.now();
    await this.contacts.record({
      callId: message.callId,
      peer: message.from,
      direction: 'incoming',
      startedAt: now,
      answeredAt: null,
      endedAt: now,
      outcome: 'missed',
      endReason: message.reason,
      e2ee: false,
      video: message.video,
      seen: false,
    });
  }

  private notice(text: string): void {
    setState({ notice: text });
  }
}
