// The client side of the signaling protocol over any WebSocket-like object (the browser's
// WebSocket, or `ws` in Node for tests and benchmarks): login by signed challenge, requests that
// resolve with the server's answer, and every other server message delivered to listeners.
// Incoming messages are parsed with the protocol schemas; what does not parse is reported, not used.
import { PROTOCOL_VERSION, parseServerMessage, serverOriginOf, type ClientMessageBody, type ErrorCode, type ServerMessage } from './protocol';

export interface WebSocketLike {
  /** The address the socket dialled: the login names its origin. */
  readonly url: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

const OPEN = 1;

/** The server refused a request, or the connection ended before it answered. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode | 'closed' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

export interface LoginIdentity {
  publicKey: string;
  /** Signs the challenge nonce for the server at `origin` (the host builds the signed bytes). */
  signLogin(challenge: { nonce: string; origin: string }): Promise<string> | string;
}

type SessionMessage = Extract<ServerMessage, { type: 'session' }>;
type Pending = { resolve: (message: ServerMessage) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> };

export class SignalingClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(message: ServerMessage) => void>();
  private readonly closeListeners = new Set<(code: number, reason: string) => void>();
  private readonly challenge: Promise<string>;
  private closed = false;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly options: { requestTimeoutMs?: number; onInvalid?: (error: string) => void } = {},
  ) {
    let gotChallenge: (nonce: string) => void = () => undefined;
    let noChallenge: (error: Error) => void = () => undefined;
    this.challenge = new Promise<string>((resolve, reject) => {
      gotChallenge = resolve;
      noChallenge = reject;
    });
    this.challenge.catch(() => undefined);
    socket.addEventListener('message', (event) => {
      const parsed = parseServerMessage(typeof event.data === 'string' ? event.data : String(event.data));
      if (!parsed.ok) return this.options.onInvalid?.(parsed.error);
      const message = parsed.message;
      if (message.type === 'challenge') return gotChallenge(message.nonce);
      if (message.re !== undefined) {
        const pending = this.pending.get(message.re);
        if (pending) {
          this.pending.delete(message.re);
          clearTimeout(pending.timer);
          if (message.type === 'error') pending.reject(new SignalingError(message.code, message.message));
          else pending.resolve(message);
        }
      }
      for (const listener of this.listeners) listener(message);
    });
    socket.addEventListener('close', (event) => {
      this.closed = true;
      noChallenge(new SignalingError('closed', 'the connection closed before the server sent its challenge'));
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new SignalingError('closed', 'the connection to the server closed'));
        this.pending.delete(id);
      }
      for (const listener of this.closeListeners) listener(event.code, event.reason);
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === OPEN;
  }

  /** Every server message (answers to requests included). Returns the unsubscribe function. */
  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (code: number, reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Sends a message that needs no answer. */
  send(message: ClientMessageBody): void {
    if (!this.isOpen) throw new SignalingError('closed', 'not connected to the server');
    this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
  }

  /** Sends a request and resolves with the server's answer to it (rejects on an `error`). */
  request(message: ClientMessageBody): Promise<ServerMessage> {
    const id = this.nextId++;
    return new Promise<ServerMessage>((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingError('timeout', `the server did not answer ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.send({ ...message, id } as ClientMessageBody);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error as Error);
      }
    });
  }

  /**
   * Logs in (or registers `handle` when given) with the server's challenge, signed together with
   * the origin of the address this socket dialled.
   */
  async login(identity: LoginIdentity, register?: { handle: string }): Promise<SessionMessage> {
    const nonce = await this.challenge;
    const origin = serverOriginOf(this.socket.url);
    const signature = await identity.signLogin({ nonce, origin });
    const answer = await this.request(
      register
        ? { type: 'register', handle: register.handle, publicKey: identity.publicKey, origin, signature }
        : { type: 'login', publicKey: identity.publicKey, origin, signature },
    );
    if (answer.type !== 'session') throw new SignalingError('internal', `unexpected answer to login: ${answer.type}`);
    return answer;
  }

  close(): void {
    this.closed = true;
    this.socket.close(1000, 'bye');
  }
}
