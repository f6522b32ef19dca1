// The WebSocket signaling endpoint: login by signed challenge, then presence and call requests.
// Every incoming message is parsed with the protocol schemas; what does not parse is answered
// with an `error` and dropped. One live connection per account: a new login takes over the old
// connection (and any call it was in — that is how a client reconnects mid-call).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Account, AccountStore } from './accounts';
import { CallError, CallService, type RoomFactory } from './calls';
import type { Logger } from './log';
import { DEFAULT_LIMITS, ServerLimits, retryText, type Limits } from './limits';
import { Presence } from './presence';
import { CAPTURE_REQUEST_TYPES, type CaptureRequest } from './recording/callCapture';
import { identityKeyProblem, verifyIdentitySignature } from '../shared/crypto/identityKey';
import { APP_ORIGIN } from '../shared/desktop/appOrigin';
import { fromBase64Url, toBase64Url } from '../shared/encoding';
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  loginChallengeBytes,
  parseClientMessage,
  serverOriginOf,
  type ClientMessage,
  type ErrorCode,
  type ServerMessageBody,
} from '../shared/protocol';

export interface SignalingOptions {
  accounts: AccountStore;
  rooms: RoomFactory;
  log: Logger;
  ringTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectGraceMs: number;
  /** Close connections that have not logged in after this long. */
  loginTimeoutMs?: number;
  /** WebSocket ping interval; a connection that misses two pongs is dropped. */
  heartbeatMs?: number;
  /** Recording and transcription (recording/callCapture.ts); without it they are refused. */
  capture?: CaptureRequests;
  /** Limits across connections and accounts; unset ones take DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
  /**
   * The origins clients reach this server at (config.ts `publicOrigins`). Empty or absent: the
   * origin named by each upgrade request's Host header.
   */
  publicOrigins?: readonly string[];
}

/** What signaling needs from the recording service. */
export interface CaptureRequests {
  /** Answers one request, or throws CallError. */
  handle(from: Account, message: CaptureRequest): Promise<ServerMessageBody>;
  /** A user logged in: resend what they need to know about their call's capture. */
  sessionStarted(handle: string): void;
}

const CAPTURE_REQUESTS: ReadonlySet<ClientMessage['type']> = new Set(CAPTURE_REQUEST_TYPES);

function isCaptureRequest(message: ClientMessage): message is CaptureRequest {
  return CAPTURE_REQUESTS.has(message.type);
}

/** Close codes the server uses (4000–4999 are the application's). */
export const CloseCode = {
  loginTimeout: 4000,
  replaced: 4001,
  tooManyErrors: 4002,
  shuttingDown: 4003,
  /** Handling this connection's message failed unexpectedly (the WebSocket standard's code). */
  internalError: 1011,
  /** The client stopped reading: what the server had for it passed the outbound bound. */
  tooSlow: 4004,
} as const;

/** Token bucket per connection: a burst of 100 messages, then 50 a second. */
const RATE = { burst: 100, perSecond: 50 };
/** Errors a connection may cause before it is closed. */
const MAX_ERRORS = 50;
const MAX_LOGIN_ATTEMPTS = 3;
/** Bytes the server holds unsent for one connection before it closes it as too slow. */
export const MAX_OUTBOUND_BYTES = 1024 * 1024;

class ClientConnection {
  account: Account | null = null;
  private readonly nonce = toBase64Url(randomBytes(32));
  private tokens = RATE.burst;
  private lastRefill = Date.now();
  private errors = 0;
  private loginAttempts = 0;
  alive = true;

  constructor(
    readonly socket: WebSocket,
    /** Where it comes from, as the limits count it. */
    readonly address: string,
    /** Gives back its place among the connections not logged in. */
    readonly loggedIn: () => void,
    /** The origins a login on this connection may name (the server's own). */
    private readonly origins: ReadonlySet<string>,
  ) {
    this.send({ type: 'challenge', nonce: this.nonce });
  }

  send(message: ServerMessageBody): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const text = JSON.stringify({ v: PROTOCOL_VERSION, ...message });
    if (this.socket.bufferedAmount + text.length > MAX_OUTBOUND_BYTES) {
      // A client that does not read would otherwise make the server hold everything for it.
      this.socket.close(CloseCode.tooSlow, 'not reading: too much unsent data');
      return;
    }
    this.socket.send(text);
  }

  error(code: ErrorCode, message: string, re?: number): void {
    this.send({ type: 'error', code, message, ...(re !== undefined ? { re } : {}) });
    if (++this.errors > MAX_ERRORS) this.socket.close(CloseCode.tooManyErrors, 'too many errors');
  }

  /** Takes one token; false when the client sends faster than the rate limit allows. */
  takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(RATE.burst, this.tokens + ((now - this.lastRefill) / 1000) * RATE.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a login naming `origin` was meant for this server. */
  isOwnOrigin(origin: string): boolean {
    return this.origins.has(origin);
  }

  /** Checks a login or register signature over this connection's challenge and `origin`, strictly. */
  verifies(publicKey: string, origin: string, signature: string): boolean {
    this.loginAttempts += 1;
    try {
      return verifyIdentitySignature(fromBase64Url(signature), loginChallengeBytes(origin, this.nonce), fromBase64Url(publicKey));
    } catch {
      return false;
    }
  }

  get loginAttemptsLeft(): boolean {
    return this.loginAttempts < MAX_LOGIN_ATTEMPTS;
  }
}

export class SignalingServer {
  private readonly wss: WebSocketServer;
  private readonly online = new Map<string, ClientConnection>();
  private readonly calls: CallService;
  private readonly presence: Presence;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly limits: ServerLimits;

  constructor(private readonly options: SignalingOptions) {
    this.log = options.log;
    this.limits = new ServerLimits({ ...DEFAULT_LIMITS, ...options.limits });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.presence = new Presence(
      { isConnected: (handle) => this.online.has(handle), isInCall: (handle) => this.calls.isInCall(handle) },
      (watcher, handle, status) => this.online.get(watcher)?.send({ type: 'presence', handle, status }),
    );
    this.calls = new CallService(
      {
        accounts: options.accounts,
        rooms: options.rooms,
        send: (handle, message) => this.sendTo(handle, message),
        isConnected: (handle) => this.online.has(handle),
        isDoNotDisturb: (handle) => this.presence.isDoNotDisturb(handle),
        presenceChanged: (handle) => this.presence.changed(handle),
        limits: this.limits.calls,
        log: options.log,
      },
      {
        ringMs: options.ringTimeoutMs,
        connectMs: options.connectTimeoutMs,
        reconnectGraceMs: options.reconnectGraceMs,
      },
    );
    this.heartbeat = setInterval(() => this.checkHeartbeats(), options.heartbeatMs ?? 15_000);
  }

  get callService(): CallService {
    return this.calls;
  }

  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /**
   * Takes over an HTTP upgrade request for the signaling path. A browser page from an origin that
   * is not this server's (nor the desktop app's) is refused with 403: another site's script must
   * not use a visitor's browser against this server. A request without an Origin header (a native
   * client) is let through; its login must still name this server.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origins = this.ownOrigins(request);
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== APP_ORIGIN && !origins.has(origin)) {
      this.log.info('refused a WebSocket from another origin', { origin: origin.slice(0, 80) });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nthis origin is refused\n');
      return;
    }
    const address = this.limits.addressOf(request);
    const release = this.limits.pending.admit(address);
    if (!release) {
      // Refused before the WebSocket exists: too many connections are waiting to log in.
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\nContent-Type: text/plain\r\n\r\ntoo many connections not logged in: try again later\n',
        () => socket.destroy(),
      );
      return;
    }
    socket.once('close', release);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, address, release, origins));
  }

  /** The configured public origins, or else the one the request's Host header names. */
  private ownOrigins(request: IncomingMessage): ReadonlySet<string> {
    if (this.options.publicOrigins?.length) return new Set(this.options.publicOrigins);
    const host = request.headers.host;
    if (!host) return new Set();
    const scheme = (request.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    try {
      return new Set([serverOriginOf(`${scheme}://${host}`)]);
    } catch {
      return new Set();
    }
  }

  /** Delivers a message to a user's live connection; false when the user is not connected. */
  sendTo(handle: string, message: ServerMessageBody): boolean {
    const connection = this.online.get(handle);
    connection?.send(message);
    return connection !== undefined;
  }

  /** The media server went away: calls that use it end. */
  mediaServerLost(): void {
    this.calls.mediaServerLost();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.calls.shutdown();
    for (const client of this.wss.clients) client.close(CloseCode.shuttingDown, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket, address: string, loggedIn: () => void, origins: ReadonlySet<string>): void {
    const connection = new ClientConnection(socket, address, loggedIn, origins);
    const loginTimer = setTimeout(() => {
      if (!connection.account) socket.close(CloseCode.loginTimeout, 'login timeout');
    }, this.options.loginTimeoutMs ?? 15_000);
    socket.on('pong', () => (connection.alive = true));
    socket.on('message', (data, isBinary) => {
      this.receive(connection, data, isBinary).catch((error: unknown) => this.failed(connection, error));
    });
    socket.on('close', () => {
      clearTimeout(loginTimer);
      this.dropped(connection);
    });
    socket.on('error', (error) => this.log.debug('socket error', { error: error.message }));
  }

  /**
   * Parses and answers one message. Everything a message can cause runs inside this one promise:
   * a request the server refuses is answered with an error; anything else that throws rejects it,
   * and `failed` closes this connection while the server goes on.
   */
  private async receive(connection: ClientConnection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return connection.error('bad-message', 'messages are JSON text');
    if (!connection.takeToken()) return connection.error('rate-limited', 'slow down: too many messages');
    const parsed = parseClientMessage(Array.isArray(data) ? Buffer.concat(data) : data);
    if (!parsed.ok) return connection.error(parsed.code, parsed.error);
    const message = parsed.message;
    try {
      await this.dispatch(connection, message);
    } catch (error) {
      if (error instanceof CallError) return connection.error(error.code, error.message, message.id);
      connection.error('internal', 'the server could not handle this request', message.id);
      throw error;
    }
  }

  /** Handling a message of this connection threw: log it and close the connection (1011). */
  private failed(connection: ClientConnection, error: unknown): void {
    this.log.error('a request failed unexpectedly; closing its connection', { error, stack: error instanceof Error ? error.stack : undefined });
    try {
      connection.socket.close(CloseCode.internalError, 'internal error');
    } catch {
      connection.socket.terminate();
    }
  }

  private async dispatch(connection: ClientConnection, message: ClientMessage): Promise<void> {
    if (message.type === 'ping') return connection.send({ type: 'pong', ...re(message) });
    if (message.type === 'login' || message.type === 'register') return this.login(connection, message);
    const account = connection.account;
    if (!account) return connection.error('not-authenticated', 'log in first', message.id);
    const wait = this.limits.message(account.handle);
    if (wait > 0) return connection.error('rate-limited', `Too many messages from this account: try again ${retryText(wait)}`, message.id);
    if (isCaptureRequest(message)) {
      const capture = this.options.capture;
      if (!capture) return connection.error('unavailable', 'this server does not record or transcribe calls', message.id);
      return connection.send({ ...(await capture.handle(account, message)), ...re(message) });
    }
    switch (message.type) {
      case 'lookup': {
        const found = this.options.accounts.byHandle(message.handle);
        return connection.send({ type: 'lookup.result', ...re(message), handle: message.handle, publicKey: found?.publicKey ?? null });
      }
      case 'presence.watch':
        this.presence.watch(account.handle, message.handles);
        return connection.send({ type: 'ok', ...re(message) });
      case 'presence.set':
        this.presence.setDoNotDisturb(account.handle, message.status === 'dnd');
        return connection.send({ type: 'ok', ...re(message) });
      default:
        return this.calls.handle(account, message);
    }
  }

  private login(connection: ClientConnection, message: Extract<ClientMessage, { type: 'login' | 'register' }>): void {
    if (connection.account) return connection.error('not-allowed', 'already logged in', message.id);
    const wait = this.limits.login(connection.address);
    if (wait > 0) return connection.error('rate-limited', `Too many logins from this address: try again ${retryText(wait)}`, message.id);
    const keyProblem = publicKeyProblem(message.publicKey);
    if (keyProblem) return connection.error('bad-key', keyProblem, message.id);
    const verified = connection.verifies(message.publicKey, message.origin, message.signature);
    // A login for another origin was meant for another server (which may be passing our challenge
    // on to its users): refused even when the signature holds.
    const ownOrigin = connection.isOwnOrigin(message.origin);
    if (!verified || !ownOrigin) {
      connection.error(
        'bad-signature',
        ownOrigin ? 'the signature does not match the challenge and key' : `this login is for ${message.origin.slice(0, 80)}, not for this server`,
        message.id,
      );
      if (!connection.loginAttemptsLeft) connection.socket.close(CloseCode.tooManyErrors, 'too many login attempts');
      return;
    }
    let account = this.options.accounts.byPublicKey(message.publicKey);
    if (message.type === 'register') {
      if (account && account.handle !== message.handle) {
        return connection.error('key-registered', `this key is already registered as ${account.handle}`, message.id);
      }
      if (!account) {
        const wait = this.limits.registration(connection.address);
        if (wait > 0) return connection.error('rate-limited', `Too many new accounts from this address: try again ${retryText(wait)}`, message.id);
        const result = this.options.accounts.register(message.handle, message.publicKey);
        if (!result.ok)
          return connection.error(
            result.reason,
            result.reason === 'handle-taken' ? `the handle ${message.handle} is taken` : 'this key is already registered',
            message.id,
          );
        account = result.account;
        this.log.info('account registered');
      }
    }
    if (!account) return connection.error('unknown-account', 'no account has this key: register first', message.id);

    const previous = this.online.get(account.handle);
    connection.account = account;
    connection.loggedIn();
    this.online.set(account.handle, connection);
    if (previous) {
      previous.account = null;
      previous.socket.close(CloseCode.replaced, 'logged in elsewhere');
      // The new connection has been sent nothing yet: its watch list must bring every status.
      this.presence.unwatchAll(account.handle);
    }
    this.calls.reconnected(account.handle);
    connection.send({
      type: 'session',
      ...re(message),
      handle: account.handle,
      publicKey: account.publicKey,
      activeCallId: this.calls.activeCallId(account.handle),
    });
    this.options.capture?.sessionStarted(account.handle);
    this.presence.changed(account.handle);
  }

  private dropped(connection: ClientConnection): void {
    const account = connection.account;
    if (!account || this.online.get(account.handle) !== connection) return;
    this.online.delete(account.handle);
    this.presence.unwatchAll(account.handle);
    this.calls.disconnected(account.handle);
    this.presence.changed(account.handle);
  }

  private checkHeartbeats(): void {
    for (const connection of this.online.values()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

/** Why an account cannot have this key (43 characters of base64url, checked by the schema), or null. */
function publicKeyProblem(publicKey: string): string | null {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(publicKey);
  } catch {
    return 'the identity key is not canonical base64url';
  }
  return identityKeyProblem(bytes);
}

function re(message: { id?: number | undefined }): { re?: number } {
  return message.id !== undefined ? { re: message.id } : {};
}
