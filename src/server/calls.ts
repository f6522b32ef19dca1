// Call routing: carries out the call state machine (callMachine.ts) for every live call, sets up
// and tears down the call's media room, and relays the end-to-end handshake unread. A call exists
// on the server only while it is live; nothing about it is kept after it ends.
import type { Account } from './accounts';
import { otherParty, transition, type CallEnd, type CallEvent, type CallState, type Party, type Transition } from './callMachine';
import { retryText, type CallLimits } from './limits';
import type { Logger } from './log';
import type { MediaEvent, MediaRoom } from './janus/gateway';
import type { CallId, ClientMessage, E2eeDecision, ErrorCode, ServerMessageBody } from '../shared/protocol';

/** The part of a Janus room the call service uses (a fake stands in for it in unit tests). */
export type CallRoom = Pick<MediaRoom, 'id' | 'e2ee' | 'onEvent' | 'publish' | 'subscribe' | 'startSubscription' | 'trickle' | 'destroy'>;

/** A call as one of its parties may see it (recording asks this before it records anything). */
export interface ParticipantCall {
  readonly id: CallId;
  readonly state: CallState;
  readonly parties: Readonly<Record<Party, Account>>;
  /** The media room, once the call is accepted. */
  readonly roomId: string | null;
  /** Whether the room is end-to-end encrypted; null before it exists. */
  readonly e2ee: boolean | null;
}

export interface RoomFactory {
  createRoom(opts: { e2ee: boolean; video: boolean }): Promise<CallRoom>;
}

export interface CallPorts {
  accounts: { byHandle(handle: string): Account | null };
  rooms: RoomFactory;
  /** Delivers a message to a user's live connection; false when the user is not connected. */
  send(handle: string, message: ServerMessageBody): boolean;
  isConnected(handle: string): boolean;
  isDoNotDisturb(handle: string): boolean;
  /** Someone's busy/available state may have changed. */
  presenceChanged(handle: string): void;
  /** How many calls may be placed, and may reach a callee (limits.ts). */
  limits: Pick<CallLimits, 'placed' | 'reaches'>;
  log: Logger;
}

export interface CallTimeouts {
  ringMs: number;
  connectMs: number;
  reconnectGraceMs: number;
}

/** A request the service refused: the connection answers with an `error` message. */
export class CallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_EVENTS = { 'call.decline': 'decline', 'call.cancel': 'cancel', 'call.hangup': 'hangup' } as const;

/** Handshake messages one party may relay per call (Noise XX needs two from the caller, one from the callee). */
const MAX_HANDSHAKE_MESSAGES = 4;

interface LiveCall {
  readonly id: CallId;
  readonly parties: Record<Party, Account>;
  readonly video: boolean;
  readonly callerDecision: E2eeDecision;
  state: CallState;
  room: CallRoom | null;
  ringTimer: NodeJS.Timeout | null;
  connectTimer: NodeJS.Timeout | null;
  readonly graceTimers: Map<Party, NodeJS.Timeout>;
  /** Parties whose subscription to the other's media is up. */
  readonly receiving: Set<Party>;
  readonly handshakeCount: Record<Party, number>;
}

type CallRequest = Extract<
  ClientMessage,
  {
    type:
      | 'call.invite'
      | 'call.accept'
      | 'call.decline'
      | 'call.cancel'
      | 'call.hangup'
      | 'call.fail'
      | 'media.publish'
      | 'media.subscribe-answer'
      | 'media.trickle'
      | 'e2ee.handshake'
      | 'call.hold';
  }
>;

export class CallService {
  private readonly calls = new Map<CallId, LiveCall>();
  private readonly callOf = new Map<string, LiveCall>();

  constructor(
    private readonly ports: CallPorts,
    private readonly timeouts: CallTimeouts,
  ) {}

  isInCall(handle: string): boolean {
    return this.callOf.has(handle);
  }

  activeCallId(handle: string): CallId | null {
    return this.callOf.get(handle)?.id ?? null;
  }

  /** The call `callId`, if `handle` is one of its parties. */
  participantCall(handle: string, callId: CallId): ParticipantCall | null {
    const call = this.calls.get(callId);
    if (!call || this.callOf.get(handle) !== call) return null;
    return { id: call.id, state: call.state, parties: call.parties, roomId: call.room?.id ?? null, e2ee: call.room?.e2ee ?? null };
  }

  get liveCalls(): number {
    return this.calls.size;
  }

  /** Handles one call-related request from `from`. Throws CallError for refused requests. */
  async handle(from: Account, message: CallRequest): Promise<void> {
    switch (message.type) {
      case 'call.invite':
        return this.invite(from, message);
      case 'call.accept':
        return this.accept(from, message.callId, message.decision, message.id);
      case 'call.decline':
      case 'call.cancel':
      case 'call.hangup':
      case 'call.fail': {
        const call = this.own(from, message.callId);
        const by = this.partyOfHandle(call, from.handle);
        const event: CallEvent = message.type === 'call.fail' ? { type: 'failure', reason: message.reason, by } : { type: REQUEST_EVENTS[message.type], by };
        return this.request(call, event);
      }
      case 'media.publish':
        return this.publish(from, message);
      case 'media.subscribe-answer': {
        const call = this.withRoom(from, message.callId);
        await this.requestMedia(call, () => call.room.startSubscription(this.partyOf(from, call.id), message.jsep));
        return;
      }
      case 'media.trickle': {
        const call = this.withRoom(from, message.callId);
        await this.requestMedia(call, () => call.room.trickle(this.partyOf(from, call.id), message.leg, message.candidate));
        return;
      }
      case 'e2ee.handshake':
        return this.relayHandshake(from, message);
      case 'call.hold':
        return this.hold(from, message.callId, message.onHold);
    }
  }

  /** A user's connection was lost: a ringing call ends now, an established one after the grace period. */
  disconnected(handle: string): void {
    const call = this.callOf.get(handle);
    if (!call) return;
    const party = this.partyOfHandle(call, handle);
    if (call.state === 'ringing') {
      this.apply(call, { type: 'disconnect', by: party });
      return;
    }
    if (call.graceTimers.has(party)) return;
    call.graceTimers.set(
      party,
      setTimeout(() => this.apply(call, { type: 'disconnect', by: party }), this.timeouts.reconnectGraceMs),
    );
  }

  /** A user logged in again: a call waiting out its grace period carries on. */
  reconnected(handle: string): void {
    const call = this.callOf.get(handle);
    if (!call) return;
    const party = this.partyOfHandle(call, handle);
    const timer = call.graceTimers.get(party);
    if (timer) clearTimeout(timer);
    call.graceTimers.delete(party);
  }

  /** The media server went away: every call that depends on it fails. */
  mediaServerLost(): void {
    for (const call of [...this.calls.values()]) {
      if (call.room) this.apply(call, { type: 'failure', reason: 'failed' });
    }
  }

  /** Ends every call (server shutdown). */
  async shutdown(): Promise<void> {
    const rooms = [...this.calls.values()].map((call) => {
      const room = call.room;
      this.finish(call, { reason: 'server-shutdown' });
      return room;
    });
    await Promise.allSettled(rooms.map((room) => room?.destroy()));
  }

  // ---- requests ---------------------------------------------------------------------------------

  private invite(from: Account, message: Extract<CallRequest, { type: 'call.invite' }>): void {
    const refuse = (reason: CallEnd['reason']) => this.ports.send(from.handle, { type: 'call.ended', re: message.id, callId: message.callId, reason });
    const placed = this.ports.limits.placed(from.handle);
    if (placed > 0) throw new CallError('rate-limited', `Too many calls from you: try again ${retryText(placed)}`);
    if (this.callOf.has(from.handle)) throw new CallError('not-allowed', 'you are already in a call');
    if (this.calls.has(message.callId)) throw new CallError('not-allowed', 'that call id is in use');
    if (message.decision.role !== 'caller') throw new CallError('bad-message', "the caller's decision must have role 'caller'");
    if (message.to === from.handle) throw new CallError('not-allowed', 'you cannot call yourself');
    const callee = this.ports.accounts.byHandle(message.to);
    if (!callee) return void refuse('unknown-user');
    if (!this.ports.isConnected(callee.handle)) return void refuse('offline');
    // Past here the callee hears of the call (a ring, or a missed call in its history): a flood
    // reaches it only a few times a minute, and what is refused leaves no trace on its side.
    const reaches = this.ports.limits.reaches(from.handle, callee.handle);
    if (reaches > 0) throw new CallError('rate-limited', `Too many calls to ${callee.handle}: try again ${retryText(reaches)}`);
    const missed = (reason: 'dnd' | 'busy') => {
      refuse(reason);
      // The callee is not rung, but its history should show the call.
      this.ports.send(callee.handle, { type: 'call.missed', callId: message.callId, from: from.handle, video: message.video, reason });
    };
    if (this.ports.isDoNotDisturb(callee.handle)) return missed('dnd');
    if (this.callOf.has(callee.handle)) return missed('busy');

    const call: LiveCall = {
      id: message.callId,
      parties: { caller: from, callee },
      video: message.video,
      callerDecision: message.decision,
      state: 'ringing',
      room: null,
      ringTimer: null,
      connectTimer: null,
      graceTimers: new Map(),
      receiving: new Set(),
      handshakeCount: { caller: 0, callee: 0 },
    };
    this.calls.set(call.id, call);
    this.callOf.set(from.handle, call);
    this.callOf.set(callee.handle, call);
    call.ringTimer = setTimeout(() => this.apply(call, { type: 'ring-timeout' }), this.timeouts.ringMs);
    this.ports.log.info('call ringing', { callId: call.id, video: call.video });
    this.ports.send(callee.handle, {
      type: 'call.incoming',
      callId: call.id,
      from: from.handle,
      fromKey: from.publicKey,
      video: call.video,
      decision: message.decision,
    });
    this.ports.send(from.handle, { type: 'call.ringing', re: message.id, callId: call.id });
    this.ports.presenceChanged(from.handle);
    this.ports.presenceChanged(callee.handle);
  }

  private async accept(from: Account, callId: CallId, decision: E2eeDecision, re: number | undefined): Promise<void> {
    const call = this.own(from, callId);
    if (decision.role !== 'callee') throw new CallError('bad-message', "the callee's decision must have role 'callee'");
    this.request(call, { type: 'accept', by: this.partyOfHandle(call, from.handle) });
    const e2ee = call.callerDecision.e2ee && decision.e2ee;
    let room: CallRoom;
    try {
      room = await this.ports.rooms.createRoom({ e2ee, video: call.video });
    } catch (error) {
      this.ports.log.error('media room creation failed', { callId, error: String(error) });
      this.apply(call, { type: 'failure', reason: 'failed' });
      return;
    }
    if (call.state === 'ended') {
      // The call ended while the room was being made.
      void room.destroy().catch(() => undefined);
      return;
    }
    call.room = room;
    room.onEvent((event) => void this.onMediaEvent(call, event));
    call.connectTimer = setTimeout(() => this.apply(call, { type: 'connect-timeout' }), this.timeouts.connectMs);
    this.ports.log.info('call accepted', { callId, e2ee });
    for (const party of ['caller', 'callee'] as const) {
      this.ports.send(call.parties[party].handle, {
        type: 'call.accepted',
        ...(party === 'callee' && re !== undefined ? { re } : {}),
        callId,
        decision,
        roomE2ee: e2ee,
      });
    }
  }

  private async publish(from: Account, message: Extract<CallRequest, { type: 'media.publish' }>): Promise<void> {
    const call = this.withRoom(from, message.callId);
    if (call.room.e2ee && !message.e2ee) {
      throw new CallError('not-allowed', 'this call is end-to-end encrypted: publish encrypted media (e2ee: true)');
    }
    const party = this.partyOf(from, call.id);
    const answer = await this.requestMedia(call, () => call.room.publish(party, message.jsep));
    this.ports.send(from.handle, { type: 'media.answer', re: message.id, callId: call.id, jsep: answer });
  }

  private relayHandshake(from: Account, message: Extract<CallRequest, { type: 'e2ee.handshake' }>): void {
    const call = this.own(from, message.callId);
    const party = this.partyOf(from, call.id);
    if (call.state !== 'connecting' && call.state !== 'active') {
      throw new CallError('not-allowed', 'the handshake runs only in an accepted call');
    }
    if (!call.room?.e2ee) throw new CallError('not-allowed', 'this call is not end-to-end encrypted');
    if (++call.handshakeCount[party] > MAX_HANDSHAKE_MESSAGES) {
      throw new CallError('rate-limited', 'too many handshake messages for this call');
    }
    const peer = call.parties[otherParty(party)].handle;
    this.ports.send(peer, { type: 'e2ee.handshake', callId: call.id, seq: message.seq, payload: message.payload });
  }

  /** Tells the other party that `from` put the call on hold or resumed it (the media stays up). */
  private hold(from: Account, callId: CallId, onHold: boolean): void {
    const call = this.own(from, callId);
    if (call.state !== 'connecting' && call.state !== 'active') throw new CallError('not-allowed', 'only an accepted call can be put on hold');
    const peer = call.parties[otherParty(this.partyOfHandle(call, from.handle))].handle;
    this.ports.send(peer, { type: 'call.hold', callId, onHold, by: from.handle });
  }

  // ---- media events -----------------------------------------------------------------------------

  private async onMediaEvent(call: LiveCall, event: MediaEvent): Promise<void> {
    if (call.state === 'ended' || !call.room) return;
    const room = call.room;
    if (event.type === 'webrtcup' && event.leg === 'publisher') {
      // The publisher's media reaches Janus: offer it to the other party.
      const viewer = otherParty(event.party);
      const offer = await this.media(call, () => room.subscribe(viewer, event.party));
      if (offer) this.ports.send(call.parties[viewer].handle, { type: 'media.subscribe-offer', callId: call.id, jsep: offer.value });
    } else if (event.type === 'webrtcup' && event.leg === 'subscriber') {
      call.receiving.add(event.party);
      if (call.receiving.size === 2 && call.state === 'connecting') {
        this.apply(call, { type: 'media-up' });
      }
    } else if (event.type === 'hangup') {
      this.ports.log.warn('media connection closed', { callId: call.id, leg: event.leg, reason: event.reason });
      this.apply(call, { type: 'failure', reason: 'failed', by: event.party });
    }
  }

  /** Runs a media-server operation; a failure ends the call with reason 'failed' and gives null. */
  private async media<T>(call: LiveCall, operation: () => Promise<T>): Promise<{ value: T } | null> {
    try {
      return { value: await operation() };
    } catch (error) {
      if (call.state !== 'ended') {
        this.ports.log.error('media operation failed', { callId: call.id, error: String(error) });
        this.apply(call, { type: 'failure', reason: 'failed' });
      }
      return null;
    }
  }

  /** A media operation a user asked for: its failure is also an error reply to that user. */
  private async requestMedia<T>(call: LiveCall, operation: () => Promise<T>): Promise<T> {
    const result = await this.media(call, operation);
    if (!result) throw new CallError('media-failed', 'the media server could not set up this call');
    return result.value;
  }

  // ---- state --------------------------------------------------------------------------------------

  /** A user's request: an event the state machine refuses is an error for that user. */
  private request(call: LiveCall, event: CallEvent): void {
    const next = transition(call.state, event);
    if (!next.ok) throw new CallError('not-allowed', next.error);
    this.enter(call, next);
  }

  /** Timers and media events: one the state machine refuses (the call moved on) changes nothing. */
  private apply(call: LiveCall, event: CallEvent): void {
    const next = transition(call.state, event);
    if (next.ok) this.enter(call, next);
  }

  private enter(call: LiveCall, next: Extract<Transition, { ok: true }>): void {
    if (next.state === 'ended') {
      this.finish(call, next.end);
      const room = call.room;
      if (room) void room.destroy().catch((error) => this.ports.log.warn('room destroy failed', { callId: call.id, error: String(error) }));
      return;
    }
    call.state = next.state;
    if (next.state === 'connecting' && call.ringTimer) {
      clearTimeout(call.ringTimer);
      call.ringTimer = null;
    }
    if (next.state === 'active') {
      if (call.connectTimer) clearTimeout(call.connectTimer);
      call.connectTimer = null;
      this.ports.log.info('call active', { callId: call.id });
      for (const party of ['caller', 'callee'] as const) {
        this.ports.send(call.parties[party].handle, { type: 'call.active', callId: call.id });
      }
    }
  }

  private finish(call: LiveCall, end: CallEnd): void {
    call.state = 'ended';
    for (const timer of [call.ringTimer, call.connectTimer, ...call.graceTimers.values()]) {
      if (timer) clearTimeout(timer);
    }
    call.graceTimers.clear();
    this.calls.delete(call.id);
    this.ports.log.info('call ended', { callId: call.id, reason: end.reason });
    for (const party of ['caller', 'callee'] as const) {
      const handle = call.parties[party].handle;
      if (this.callOf.get(handle) === call) this.callOf.delete(handle);
      this.ports.send(handle, {
        type: 'call.ended',
        callId: call.id,
        reason: end.reason,
        ...(end.by ? { by: call.parties[end.by].handle } : {}),
      });
      this.ports.presenceChanged(handle);
    }
  }

  private own(from: Account, callId: CallId): LiveCall {
    const call = this.calls.get(callId);
    if (!call || this.callOf.get(from.handle) !== call) throw new CallError('no-such-call', 'no such call');
    return call;
  }

  private withRoom(from: Account, callId: CallId): LiveCall & { room: CallRoom } {
    const call = this.own(from, callId);
    const room = call.room;
    if (!room || (call.state !== 'connecting' && call.state !== 'active')) {
      throw new CallError('not-allowed', 'the call has no media yet');
    }
    return Object.assign(call, { room });
  }

  private partyOf(from: Account, callId: CallId): Party {
    return this.partyOfHandle(this.own(from, callId), from.handle);
  }

  private partyOfHandle(call: LiveCall, handle: string): Party {
    return call.parties.caller.handle === handle ? 'caller' : 'callee';
  }
}
