// Keeps the server connected to Janus: connects at start, and when the connection drops, ends the
// calls that used it and reconnects with backoff. While Janus is away, new calls fail at once with
// a clear reason instead of hanging.
import type { RoomFactory } from './calls';
import { JanusGateway, type MediaRoom } from './janus/gateway';
import type { Logger } from './log';

export interface MediaServerOptions {
  url: string;
  apiSecret: string;
  adminKey: string;
  /** Janus's folder for recordings of calls that are not E2EE; without it nothing is recorded. */
  recordingsDir?: string | undefined;
  log: Logger;
}

const BACKOFF_MS = { first: 500, max: 30_000 };

export class MediaServer implements RoomFactory {
  private gateway: JanusGateway | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = BACKOFF_MS.first;
  private closed = false;
  private readonly lostListeners: (() => void)[] = [];

  constructor(private readonly options: MediaServerOptions) {}

  get connected(): boolean {
    return this.gateway !== null;
  }

  /** Called when a live connection to Janus is lost (its calls cannot go on). */
  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  /** Connects now; on failure keeps retrying in the background and resolves false. */
  async start(): Promise<boolean> {
    try {
      await this.connect();
      return true;
    } catch (error) {
      this.options.log.warn('Janus is not reachable yet; retrying', { url: this.options.url, error: String(error) });
      this.scheduleRetry();
      return false;
    }
  }

  async createRoom(opts: { e2ee: boolean; video: boolean }): Promise<MediaRoom> {
    if (!this.gateway) throw new Error('the media server (Janus) is unavailable');
    return this.gateway.createRoom(opts);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const gateway = this.gateway;
    this.gateway = null;
    await gateway?.close();
  }

  private async connect(): Promise<void> {
    const { url, apiSecret, adminKey, recordingsDir, log } = this.options;
    const gateway = await JanusGateway.connect({ url, apiSecret, adminKey, log, ...(recordingsDir !== undefined ? { recordingsDir } : {}) });
    if (this.closed) {
      await gateway.close();
      return;
    }
    this.gateway = gateway;
    this.retryDelay = BACKOFF_MS.first;
    log.info('connected to Janus', { url });
    // No call survives a server restart or a lost Janus connection: their rooms are orphans now.
    gateway.sweepRooms().then(
      (count) => count && log.info('destroyed rooms left behind by an earlier run', { count }),
      (error: unknown) => log.warn('could not look for orphaned rooms', { error: String(error) }),
    );
    gateway.onClose((error) => {
      if (this.gateway !== gateway) return;
      this.gateway = null;
      log.error('lost the connection to Janus', { error: error ? error.message : 'closed' });
      for (const listener of this.lostListeners) listener();
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch((error) => {
        this.options.log.debug('Janus reconnect failed', { error: String(error) });
        this.scheduleRetry();
      });
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, BACKOFF_MS.max);
  }
}
