// The renderer's connection to the signaling server: connects, logs in with the host's identity
// (registering the handle on first run), and reconnects with backoff when the connection drops.
import type { HostBridge } from '../host/bridge';
import type { ClientMessageBody, ServerMessage } from '../../shared/protocol';
import { SignalingClient, SignalingError } from '../../shared/signalingClient';

export type ConnectionStatus =
  { state: 'connecting' } | { state: 'online'; handle: string } | { state: 'offline'; reason: string; retryInSeconds: number | null };

type SessionMessage = Extract<ServerMessage, { type: 'session' }>;

const BACKOFF_MS = { first: 500, max: 30_000 };

export class ServerConnection {
  private client: SignalingClient | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = BACKOFF_MS.first;
  private stopped = false;
  private readonly messageListeners = new Set<(message: ServerMessage) => void>();
  private readonly sessionListeners = new Set<(session: SessionMessage) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();

  constructor(private readonly host: HostBridge) {}

  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Every successful login, the first and each reconnect. */
  onSession(listener: (session: SessionMessage) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Connects and logs in. With `register`, creates the account first (first run); its errors
   * (e.g. the handle is taken) reject and stop the connection so the user can pick another.
   */
  async start(register?: { handle: string }): Promise<SessionMessage> {
    this.stopped = false;
    return this.connect(register);
  }

  send(message: ClientMessageBody): void {
    if (!this.client?.isOpen) throw new SignalingError('closed', 'not connected to the server');
    this.client.send(message);
  }

  request(message: ClientMessageBody): Promise<ServerMessage> {
    if (!this.client?.isOpen) return Promise.reject(new SignalingError('closed', 'not connected to the server'));
    return this.client.request(message);
  }

  get online(): boolean {
    return this.client?.isOpen ?? false;
  }

  private emitStatus(status: ConnectionStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }

  private async connect(register?: { handle: string }): Promise<SessionMessage> {
    this.emitStatus({ state: 'connecting' });
    let url: string;
    try {
      url = await this.host.serverUrl();
    } catch (error) {
      // No usable address (the user must change or confirm it in Settings): nothing to retry.
      this.stopped = true;
      this.emitStatus({ state: 'offline', reason: (error as Error).message, retryInSeconds: null });
      throw error;
    }
    const socket = new WebSocket(url);
    const client = new SignalingClient(socket, { onInvalid: (error) => console.warn('ignored a server message:', error) });
    this.client = client;
    client.onMessage((message) => {
      for (const listener of this.messageListeners) listener(message);
    });
    client.onClose((code, reason) => {
      if (this.client !== client) return;
      this.client = null;
      if (this.stopped) return;
      this.scheduleReconnect(reason || (code === 1006 ? 'the connection to the server was lost' : `closed (${code})`));
    });
    const identity = await this.host.calls['identity.get']();
    try {
      const session = await client.login(
        { publicKey: identity.publicKey, signLogin: (challenge) => this.host.calls['identity.signLogin'](challenge) },
        register,
      );
      this.retryDelay = BACKOFF_MS.first;
      this.emitStatus({ state: 'online', handle: session.handle });
      for (const listener of this.sessionListeners) listener(session);
      return session;
    } catch (error) {
      if (register || (error instanceof SignalingError && error.code === 'unknown-account')) {
        // Nothing to retry: the user has to act (pick another handle, register again).
        this.stopped = true;
        client.close();
        this.emitStatus({ state: 'offline', reason: (error as Error).message, retryInSeconds: null });
      }
      throw error;
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, BACKOFF_MS.max);
    this.emitStatus({ state: 'offline', reason, retryInSeconds: Math.ceil(delay / 1000) });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        if (!this.stopped) this.scheduleReconnect(error instanceof Error ? error.message : String(error));
      });
    }, delay);
  }
}
