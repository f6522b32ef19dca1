// Stand-ins for unit tests of the signaling server: a user speaking the real protocol with real
// Ed25519 signatures over a loopback WebSocket, and a fake Janus room (the end-to-end tests use the
// real Janus).
import { ed25519 } from '@noble/curves/ed25519.js';
import WebSocket from 'ws';
import type { MediaEvent } from '../janus/gateway';
import type { Logger } from '../log';
import type { RecordableRoom } from '../recording/callCapture';
import { toBase64Url } from '../../shared/encoding';
import { PROTOCOL_VERSION, loginChallengeBytes, serverOriginOf, type Jsep, type ServerMessage } from '../../shared/protocol';
import { captureStatementBytes } from '../../shared/recordingPolicy';
import { SignalingClient } from '../../shared/signalingClient';

export const silentLog: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

type Party = 'caller' | 'callee';

/** A Janus room that answers at once and reports webrtcup a moment after publish and subscribe. */
export class FakeRoom implements RecordableRoom {
  readonly published: Party[] = [];
  readonly recordingCalls: string[] = [];
  /** Makes the callee's startRecording fail (a Janus that does not answer). */
  failRecording = false;
  destroyed = false;
  private readonly listeners = new Set<(event: MediaEvent) => void>();

  constructor(
    readonly id: string,
    readonly e2ee: boolean,
  ) {}

  onEvent(listener: (event: MediaEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: MediaEvent) {
    for (const listener of this.listeners) listener(event);
  }
  async publish(party: Party, offer: Jsep): Promise<Jsep> {
    this.published.push(party);
    setTimeout(() => this.emit({ type: 'webrtcup', party, leg: 'publisher' }), 5);
    return { type: 'answer', sdp: `answer-to:${offer.sdp}` };
  }
  async subscribe(_viewer: Party, to: Party): Promise<Jsep> {
    return { type: 'offer', sdp: `feed-of:${to}` };
  }
  async startSubscription(viewer: Party): Promise<void> {
    setTimeout(() => this.emit({ type: 'webrtcup', party: viewer, leg: 'subscriber' }), 5);
  }
  async trickle(): Promise<void> {}
  async startRecording(party: Party, filename: string): Promise<void> {
    if (this.e2ee) throw new Error('the real MediaRoom refuses this too');
    if (this.failRecording && party === 'callee') throw new Error('Janus request "configure" failed: no answer within 10000 ms');
    this.recordingCalls.push(`start ${party} ${filename}`);
  }
  async stopRecording(party: Party): Promise<void> {
    this.recordingCalls.push(`stop ${party}`);
  }
  async destroy(): Promise<void> {
    this.recordingCalls.push('destroy');
    this.destroyed = true;
  }
}

/** One user with their own identity key, and every message the server sent them. */
export class TestUser {
  readonly secret = ed25519.utils.randomSecretKey();
  readonly publicKey = toBase64Url(ed25519.getPublicKey(this.secret));
  readonly inbox: ServerMessage[] = [];
  private waiters: { predicate: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  client!: SignalingClient;
  constructor(readonly handle: string) {}

  signLogin = ({ nonce, origin }: { nonce: string; origin: string }) => toBase64Url(ed25519.sign(loginChallengeBytes(origin, nonce), this.secret));

  /** A recording or transcription start with the capture statement this user's host would sign. */
  captureStart<T extends 'recording.start' | 'transcription.start'>(type: T, callId: string): { type: T; callId: string; statement: string } {
    const request = { callId, kind: type === 'recording.start' ? ('recording' as const) : ('transcription' as const) };
    return { type, callId, statement: toBase64Url(ed25519.sign(captureStatementBytes(request, ed25519.getPublicKey(this.secret)), this.secret)) };
  }

  /** Connects and registers this user's handle (or only logs in); `socket` e.g. picks the local address to dial from. */
  async connect(url: string, register = true, socket: WebSocket.ClientOptions = {}) {
    this.client = new SignalingClient(new WebSocket(url, socket));
    this.client.onMessage((message) => {
      const waiter = this.waiters.find((w) => w.predicate(message));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      } else this.inbox.push(message);
    });
    return this.client.login({ publicKey: this.publicKey, signLogin: this.signLogin }, register ? { handle: this.handle } : undefined);
  }

  /** The next message of this type (already received or still to come). */
  next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    const index = this.inbox.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.handle}: no ${type} within 3 s`)), 3000);
      this.waiters.push({
        predicate: (m) => m.type === type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<ServerMessage, { type: T }>);
        },
      });
    });
  }

  received(type: ServerMessage['type']): ServerMessage[] {
    return this.inbox.filter((message) => message.type === type);
  }
}

/**
 * Logs `user` in (already registered) over a plain WebSocket that parses nothing it receives, for
 * tests that flood or stop reading: resolves with the socket once the session message arrives.
 */
export function rawLogin(url: string, user: TestUser, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${user.handle}: no session within 5 s`)), 5000);
    socket.once('error', reject);
    socket.on('message', function onMessage(data) {
      const message = JSON.parse(String(data)) as { type: string; nonce?: string };
      if (message.type === 'challenge' && message.nonce) {
        const origin = serverOriginOf(url);
        socket.send(
          JSON.stringify({
            v: PROTOCOL_VERSION,
            type: 'login',
            publicKey: user.publicKey,
            origin,
            signature: user.signLogin({ nonce: message.nonce, origin }),
          }),
        );
      } else if (message.type === 'session') {
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(socket);
      }
    });
  });
}
