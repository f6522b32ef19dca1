// The server's only door to Janus. One private VideoRoom per call; each party publishes on one
// handle and subscribes to the other party on a second one. Built on janode's VideoRoom plugin:
// every Janus request is bounded in time and its failure becomes a JanusError carrying Janus's
// code, and a leg that fails midway is detached so the call can retry or be torn down cleanly.
import { createHmac, randomBytes } from 'node:crypto';
import Janode from 'janode';
import type { JanodeConnection, JanodeHandle, JanodeSession, JanusTrickleCandidate, HandleHangupEvent, HandleMediaEvent } from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import type { CallRole, IceCandidate, Jsep, MediaLeg } from '../../shared/protocol';
import type { Logger } from '../log';

/** 'caller' | 'callee': a call's two parties, as the signaling protocol names them. */
export type Party = CallRole;
/** 'publisher' | 'subscriber': a party's two PeerConnections. */
export type { MediaLeg };
export type MediaEvent =
  | { type: 'webrtcup'; party: Party; leg: MediaLeg }
  | { type: 'hangup'; party: Party; leg: MediaLeg; reason: string }
  | { type: 'media'; party: Party; leg: MediaLeg; kind: 'audio' | 'video'; receiving: boolean };

export interface JanusGatewayOptions {
  /** The Janus WebSocket API, e.g. `ws://10.213.0.2:8188`. */
  readonly url: string;
  readonly apiSecret: string;
  /** The VideoRoom plugin's `admin_key` (room creation needs it). */
  readonly adminKey: string;
  readonly log: Logger;
  /** Janus's folder for recordings of calls that are not E2EE; without it recording is refused. */
  readonly recordingsDir?: string;
  /** Bound on every single Janus request (default 10 s). */
  readonly requestTimeoutMs?: number;
}

/** A Janus request that failed; `code` is Janus's error code when Janus gave one (e.g. 433, 426). */
export class JanusError extends Error {
  override readonly name = 'JanusError';
  constructor(
    readonly request: string,
    readonly code: number | undefined,
    reason: string,
  ) {
    super(code === undefined ? `Janus request "${request}" failed: ${reason}` : `Janus refused "${request}": ${code} ${reason}`);
  }
}

/** Janus's VideoRoom error for an unknown room. */
const NO_SUCH_ROOM = 426;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const KEEPALIVE_SECONDS = 20;
/** Candidates held for a leg whose handle is not negotiated yet; a browser gathers a handful. */
const MAX_QUEUED_CANDIDATES = 64;
/** Non-E2EE video rooms ask publishers for a keyframe this often, so subscribers recover from loss. */
const KEYFRAME_INTERVAL_SECONDS = 10;

export class JanusGateway {
  private readonly rooms = new Set<MediaRoom>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private closing: Promise<void> | undefined;
  private lostError: Error | undefined;

  private constructor(
    private readonly connection: JanodeConnection,
    private readonly session: JanodeSession,
    private readonly control: VideoRoomHandle,
    private readonly options: JanusGatewayOptions,
  ) {
    connection.once(Janode.EVENT.CONNECTION_ERROR, (error: Error) => this.lose(new Error(`connection to Janus lost: ${error.message}`)));
    session.once(Janode.EVENT.SESSION_DESTROYED, () => this.lose(new Error('Janus session ended (keep-alive failed or Janus timed it out)')));
  }

  static async connect(options: JanusGatewayOptions): Promise<JanusGateway> {
    // janode logs to stdout, and at its verbose level whole requests with the API secret in them;
    // the gateway reports what matters through its own logger instead.
    Janode.Logger.setLevel('none');
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const connection = await janusRequest(`connect to ${options.url}`, timeoutMs * 3, () =>
      Janode.connect({ address: { url: options.url, apisecret: options.apiSecret }, retry_time_secs: 1, max_retries: 2 }),
    );
    try {
      const session = await janusRequest('create session', timeoutMs, () => connection.create(KEEPALIVE_SECONDS));
      const control = await janusRequest('attach VideoRoom', timeoutMs, () => session.attach(VideoRoomPlugin));
      return new JanusGateway(connection, session, control, options);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  /** Creates the private VideoRoom of one call. */
  async createRoom(settings: { e2ee: boolean; video: boolean }): Promise<MediaRoom> {
    this.assertOpen();
    const id = randomToken(16);
    const secret = this.roomSecret(id);
    const { e2ee, video } = settings;
    await this.request('create room', () =>
      this.control.create({
        room: id,
        description: ROOM_DESCRIPTION,
        secret,
        admin_key: this.options.adminKey,
        max_publishers: 2,
        is_private: true,
        permanent: false,
        require_e2ee: e2ee,
        // Recording starts per publisher on request (configure {record: true}), never from the first packet.
        record: false,
        fir_freq: !e2ee && video ? KEYFRAME_INTERVAL_SECONDS : 0,
        audiocodec: 'opus',
        videocodec: 'vp8',
        ...(!e2ee && this.options.recordingsDir !== undefined ? { rec_dir: this.options.recordingsDir } : {}),
      }),
    );
    const room = new MediaRoom(id, e2ee, video, {
      secret,
      session: this.session,
      control: this.control,
      log: this.options.log,
      recording: !e2ee && this.options.recordingsDir !== undefined,
      request: (what, operation) => this.request(what, operation),
      assertOpen: () => this.assertOpen(),
      lost: () => this.lostError,
      forget: (destroyed) => this.rooms.delete(destroyed),
    });
    this.rooms.add(room);
    this.options.log.info('room created', { room: id, e2ee, video });
    return room;
  }

  /**
   * Destroys this server's rooms that no live call uses — left behind when the server stopped or
   * lost Janus mid-call. Returns how many there were.
   */
  async sweepRooms(): Promise<number> {
    this.assertOpen();
    const { list } = await this.request('list rooms', () => this.control.list({ admin_key: this.options.adminKey }));
    const live = new Set([...this.rooms].map((room) => room.id));
    const orphans = list.filter((room) => room.description === ROOM_DESCRIPTION && !live.has(String(room.room)));
    for (const orphan of orphans) {
      const room = String(orphan.room);
      await this.request(`destroy orphaned room ${room}`, () => this.control.destroy({ room, secret: this.roomSecret(room) }));
    }
    return orphans.length;
  }

  /**
   * A room's secret, derived from the admin key so that a restarted server can still destroy the
   * rooms its previous run left behind (the admin key never leaves the server).
   */
  private roomSecret(room: string): string {
    return createHmac('sha256', this.options.adminKey).update(`softphone/room-secret/v1/${room}`).digest('base64url');
  }

  /** Calls `listener` once when the connection to Janus ends: with an error unless `close()` ended it. */
  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Destroys every room still open, then ends the session and the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.lostError) {
      await Promise.all(
        [...this.rooms].map((room) => room.destroy().catch((error: unknown) => this.options.log.warn('room not destroyed on close', { room: room.id, error }))),
      );
      await this.session.destroy().catch(() => undefined);
      await this.connection.close().catch(() => undefined);
    }
    this.options.log.info('disconnected from Janus', { url: this.options.url });
    this.notifyClose(undefined);
  }

  private lose(error: Error): void {
    if (this.lostError || this.closing) return;
    this.lostError = error;
    this.options.log.error('lost Janus', { url: this.options.url, error });
    // Rooms stay in Janus until it restarts: non-permanent rooms are not tied to a session.
    this.rooms.clear();
    this.connection.close().catch(() => undefined);
    this.notifyClose(error);
  }

  private notifyClose(error: Error | undefined): void {
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) {
      try {
        listener(error);
      } catch (listenerError) {
        this.options.log.error('onClose listener threw', { error: listenerError });
      }
    }
  }

  private assertOpen(): void {
    if (this.lostError) throw new JanusError('use gateway', undefined, this.lostError.message);
    if (this.closing) throw new JanusError('use gateway', undefined, 'the gateway is closed');
  }

  private request<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return janusRequest(what, this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, operation);
  }
}

/** What a room needs from its gateway; not part of the public API. */
interface RoomContext {
  readonly secret: string;
  readonly session: JanodeSession;
  readonly control: VideoRoomHandle;
  readonly log: Logger;
  /** Whether this room records on request (a standard room of a gateway with a recordings folder). */
  readonly recording: boolean;
  request<T>(what: string, operation: () => Promise<T>): Promise<T>;
  /** Throws once the gateway is closing or lost: no new work for Janus. */
  assertOpen(): void;
  /** Why the connection to Janus was lost, if it was. */
  lost(): Error | undefined;
  forget(room: MediaRoom): void;
}

/** One PeerConnection of one party: its Janus handle once attached, and what Janus said about it. */
interface LegState {
  handle: VideoRoomHandle | undefined;
  /** True from `webrtcup` until `hangup`. */
  mediaUp: boolean;
  /** A leg that hung up may be replaced by a new publish / subscribe. */
  hungUp: boolean;
  /** `done` once Janus has both descriptions; subscribers pass through `starting`. */
  negotiation: 'pending' | 'starting' | 'done';
}

export class MediaRoom {
  private readonly legs = new Map<string, LegState>();
  private readonly candidates = new Map<string, CandidateRelay>();
  private readonly listeners = new Set<(event: MediaEvent) => void>();
  /** Handles being detached on purpose: their `detached` event is not a hangup. */
  private readonly detaching = new WeakSet<JanodeHandle>();
  private destroying: Promise<void> | undefined;
  private destroyed = false;

  /** @internal Rooms come from `JanusGateway.createRoom`. */
  constructor(
    readonly id: string,
    readonly e2ee: boolean,
    readonly video: boolean,
    private readonly context: RoomContext,
  ) {}

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes `party`'s media with its offer; returns Janus's answer. */
  async publish(party: Party, offer: Jsep): Promise<Jsep> {
    if (offer.type !== 'offer') throw new Error(`publish needs an offer, got an ${offer.type}`);
    const leg = await this.openLeg(party, 'publisher');
    const handle = await this.attach(party, 'publisher', leg);
    try {
      const joined = await this.context.request(`joinandconfigure ${party} in room ${this.id}`, () =>
        // janode writes `e2ee` onto the JSEP it is given: hand it a copy.
        handle.joinConfigurePublisher({ room: this.id, feed: party, e2ee: this.e2ee, jsep: { type: offer.type, sdp: offer.sdp } }),
      );
      this.assertAlive();
      if (joined.jsep?.type !== 'answer') throw new JanusError(`joinandconfigure ${party}`, undefined, 'Janus sent no SDP answer');
      leg.negotiation = 'done';
      this.relay(party, 'publisher').open(handle);
      this.context.log.info('publisher negotiated', { room: this.id, party });
      return { type: 'answer', sdp: joined.jsep.sdp };
    } catch (error) {
      await this.dropLeg(party, 'publisher', leg);
      throw error;
    }
  }

  /** Subscribes `viewer` to `to`'s media, once `to`'s publisher is up; returns Janus's offer. */
  async subscribe(viewer: Party, to: Party): Promise<Jsep> {
    if (viewer === to) throw new Error(`${viewer} cannot subscribe to itself`);
    if (!this.legs.get(legKey(to, 'publisher'))?.mediaUp) {
      throw new Error(`${to} has no media up in room ${this.id} yet: subscribe after its publisher's webrtcup`);
    }
    const leg = await this.openLeg(viewer, 'subscriber');
    const handle = await this.attach(viewer, 'subscriber', leg);
    try {
      const joined = await this.context.request(`subscribe ${viewer} to ${to} in room ${this.id}`, () =>
        handle.joinSubscriber({ room: this.id, streams: [{ feed: to }] }),
      );
      this.assertAlive();
      if (joined.jsep?.type !== 'offer') throw new JanusError(`subscribe ${viewer}`, undefined, 'Janus sent no SDP offer');
      this.context.log.info('subscriber offered', { room: this.id, viewer, to });
      return { type: 'offer', sdp: joined.jsep.sdp };
    } catch (error) {
      await this.dropLeg(viewer, 'subscriber', leg);
      throw error;
    }
  }

  /** Completes `viewer`'s subscription with its answer to Janus's offer. */
  async startSubscription(viewer: Party, answer: Jsep): Promise<void> {
    if (answer.type !== 'answer') throw new Error(`startSubscription needs an answer, got an ${answer.type}`);
    this.assertAlive();
    const leg = this.legs.get(legKey(viewer, 'subscriber'));
    const handle = leg?.handle;
    if (!leg || !handle || leg.hungUp) throw new Error(`${viewer} has no pending subscription in room ${this.id}`);
    if (leg.negotiation !== 'pending') throw new Error(`${viewer}'s subscription in room ${this.id} is already started`);
    leg.negotiation = 'starting';
    try {
      await this.context.request(`start ${viewer}'s subscription in room ${this.id}`, () =>
        handle.start({ jsep: { type: answer.type, sdp: answer.sdp }, e2ee: this.e2ee }),
      );
      this.assertAlive();
      leg.negotiation = 'done';
      this.relay(viewer, 'subscriber').open(handle);
    } catch (error) {
      await this.dropLeg(viewer, 'subscriber', leg);
      throw error;
    }
  }

  /**
   * Passes one of `party`'s ICE candidates for `leg` to Janus; `null` ends them. Candidates that
   * arrive before Janus has that leg's description are held and sent, in order, right after it.
   */
  async trickle(party: Party, leg: MediaLeg, candidate: IceCandidate | null): Promise<void> {
    this.assertAlive();
    await this.relay(party, leg).deliver(candidate === null ? null : toJanusCandidate(candidate));
  }

  /** Starts recording `party`'s published media into `<recordings dir>/<filename>-<kind>-<n>.mjr`. */
  async startRecording(party: Party, filename: string): Promise<void> {
    const handle = this.recordablePublisher(party);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(filename)) {
      throw new Error('a recording filename is 1–100 characters of A-Z, a-z, 0-9, "_" or "-", starting with a letter or digit');
    }
    await this.context.request(`start recording ${party} in room ${this.id}`, () => handle.configure({ record: true, filename }));
    this.context.log.info('recording started', { room: this.id, party });
  }

  async stopRecording(party: Party): Promise<void> {
    const handle = this.recordablePublisher(party);
    await this.context.request(`stop recording ${party} in room ${this.id}`, () => handle.configure({ record: false }));
    this.context.log.info('recording stopped', { room: this.id, party });
  }

  /** Detaches every handle and destroys the room in Janus. Safe to call again and concurrently. */
  destroy(): Promise<void> {
    this.destroying ??= this.tearDown().catch((error: unknown) => {
      this.destroying = undefined;
      throw error;
    });
    return this.destroying;
  }

  private async tearDown(): Promise<void> {
    this.destroyed = true;
    this.listeners.clear();
    const legs = [...this.legs.values()];
    this.legs.clear();
    this.candidates.clear();
    const lost = this.context.lost();
    if (lost) {
      this.context.forget(this);
      this.context.log.warn('room left in Janus until it restarts', { room: this.id, error: lost });
      return;
    }
    await Promise.all(legs.map((leg) => this.detach(leg)));
    try {
      await this.context.request(`destroy room ${this.id}`, () => this.context.control.destroy({ room: this.id, secret: this.context.secret }));
    } catch (error) {
      if (!(error instanceof JanusError) || error.code !== NO_SUCH_ROOM) throw error;
    }
    this.context.forget(this);
    this.context.log.info('room destroyed', { room: this.id });
  }

  private recordablePublisher(party: Party): VideoRoomHandle {
    if (this.e2ee) throw new Error(`room ${this.id} is end-to-end encrypted: recording is refused`);
    if (!this.context.recording) throw new Error('recording is not configured: the gateway has no recordings folder');
    this.assertAlive();
    const leg = this.legs.get(legKey(party, 'publisher'));
    if (!leg?.handle || leg.negotiation !== 'done' || leg.hungUp) throw new Error(`${party} is not publishing in room ${this.id}`);
    return leg.handle;
  }

  /** Reserves the leg (so a concurrent call for the same leg fails), replacing one that hung up. */
  private async openLeg(party: Party, kind: MediaLeg): Promise<LegState> {
    this.assertAlive();
    const key = legKey(party, kind);
    const previous = this.legs.get(key);
    if (previous && !previous.hungUp) throw new Error(`${party} already has a ${kind} in room ${this.id}`);
    const leg: LegState = { handle: undefined, mediaUp: false, hungUp: false, negotiation: 'pending' };
    this.legs.set(key, leg);
    this.relay(party, kind).hold();
    if (previous) await this.detach(previous);
    return leg;
  }

  private async attach(party: Party, kind: MediaLeg, leg: LegState): Promise<VideoRoomHandle> {
    try {
      const handle = await this.context.request(`attach ${party} ${kind} in room ${this.id}`, () => this.context.session.attach(VideoRoomPlugin));
      leg.handle = handle;
      this.watch(handle, party, kind, leg);
      this.assertAlive();
      return handle;
    } catch (error) {
      await this.dropLeg(party, kind, leg);
      throw error;
    }
  }

  private watch(handle: VideoRoomHandle, party: Party, kind: MediaLeg, leg: LegState): void {
    handle.on(Janode.EVENT.HANDLE_WEBRTCUP, () => {
      leg.mediaUp = true;
      this.emit({ type: 'webrtcup', party, leg: kind });
    });
    handle.on(Janode.EVENT.HANDLE_HANGUP, ({ reason }: HandleHangupEvent) => {
      leg.mediaUp = false;
      leg.hungUp = true;
      this.emit({ type: 'hangup', party, leg: kind, reason: reason ?? 'unknown' });
    });
    handle.on(Janode.EVENT.HANDLE_MEDIA, ({ type, receiving }: HandleMediaEvent) => {
      if ((type === 'audio' || type === 'video') && typeof receiving === 'boolean') {
        this.emit({ type: 'media', party, leg: kind, kind: type, receiving });
      }
    });
    handle.once(Janode.EVENT.HANDLE_DETACHED, () => {
      if (this.detaching.has(handle) || leg.hungUp) return;
      leg.mediaUp = false;
      leg.hungUp = true;
      this.emit({ type: 'hangup', party, leg: kind, reason: 'Janus detached the handle' });
    });
  }

  private emit(event: MediaEvent): void {
    if (this.destroyed) return;
    this.context.log.debug('media event', { room: this.id, ...event });
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.context.log.error('media event listener threw', { room: this.id, error });
      }
    }
  }

  /** Forgets a leg that failed midway and detaches its handle, if it got one. */
  private async dropLeg(party: Party, kind: MediaLeg, leg: LegState): Promise<void> {
    const key = legKey(party, kind);
    if (this.legs.get(key) === leg) this.legs.delete(key);
    this.relay(party, kind).hold();
    await this.detach(leg);
  }

  private async detach(leg: LegState): Promise<void> {
    const handle = leg.handle;
    leg.handle = undefined;
    if (!handle) return;
    this.detaching.add(handle);
    await this.context
      .request('detach handle', () => handle.detach())
      .catch((error: unknown) => {
        this.context.log.warn('handle not detached', { room: this.id, error });
      });
  }

  private relay(party: Party, kind: MediaLeg): CandidateRelay {
    const key = legKey(party, kind);
    let relay = this.candidates.get(key);
    if (!relay) {
      relay = new CandidateRelay(`${party} ${kind} in room ${this.id}`, this.context);
      this.candidates.set(key, relay);
    }
    return relay;
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error(`room ${this.id} was destroyed`);
    this.context.assertOpen();
  }
}

/**
 * The ICE candidates of one leg. Until Janus has the leg's description they are held; then they
 * are sent one after the other, so Janus sees them in the order the browser gathered them.
 */
class CandidateRelay {
  private held: (JanusTrickleCandidate | null)[] = [];
  private target: JanodeHandle | undefined;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly context: RoomContext,
  ) {}

  /** Holds candidates again: the leg is being (re)negotiated. */
  hold(): void {
    this.target = undefined;
  }

  /** Janus has the description: sends what was held, then everything as it comes. */
  open(handle: JanodeHandle): void {
    this.target = handle;
    for (const candidate of this.held.splice(0)) {
      this.send(handle, candidate).catch((error: unknown) => this.context.log.warn('held ICE candidate not delivered', { leg: this.name, error }));
    }
  }

  deliver(candidate: JanusTrickleCandidate | null): Promise<unknown> {
    if (this.target) return this.send(this.target, candidate);
    if (this.held.length >= MAX_QUEUED_CANDIDATES) {
      return Promise.reject(new Error(`too many ICE candidates for ${this.name} before it was negotiated`));
    }
    this.held.push(candidate);
    return Promise.resolve();
  }

  private send(handle: JanodeHandle, candidate: JanusTrickleCandidate | null): Promise<unknown> {
    const what = candidate === null ? `end of candidates for ${this.name}` : `trickle for ${this.name}`;
    const sent = this.sending.catch(() => undefined).then(() => this.context.request(what, () => handle.trickle(candidate)));
    this.sending = sent;
    return sent;
  }
}

function legKey(party: Party, kind: MediaLeg): string {
  return `${party}:${kind}`;
}

function toJanusCandidate(candidate: IceCandidate): JanusTrickleCandidate {
  return {
    candidate: candidate.candidate,
    ...(candidate.sdpMid !== undefined ? { sdpMid: candidate.sdpMid } : {}),
    ...(candidate.sdpMLineIndex !== undefined ? { sdpMLineIndex: candidate.sdpMLineIndex } : {}),
  };
}

/** Marks the rooms this server makes, so that orphans can be told from other rooms on the same Janus. */
const ROOM_DESCRIPTION = 'softphone call';

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Runs one Janus request within `timeoutMs`, turning any failure into a JanusError. */
async function janusRequest<T>(what: string, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JanusError(what, undefined, `no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    if (error instanceof JanusError) throw error;
    const message = failureMessage(error);
    // janode puts Janus's code first: "433 Unauthorized (wrong admin_key)".
    const coded = /^(\d{3}) (.*)$/s.exec(message);
    throw coded ? new JanusError(what, Number(coded[1]), coded[2] ?? '') : new JanusError(what, undefined, message);
  } finally {
    clearTimeout(timer);
  }
}

/** janode rejects with Errors, and with the WebSocket's error event when it cannot connect. */
function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : String(error);
}
