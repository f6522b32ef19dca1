// Assembles the server: accounts, the Janus connection, signaling and the web client over one
// HTTP port (WebSocket at /ws).
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { AccountStore } from './accounts';
import type { ServerConfig } from './config';
import type { Logger } from './log';
import { MediaServer } from './mediaServer';
import { createCallCapture } from './recording/setup';
import { SignalingServer } from './signaling';
import { createWebHandler } from './web';

export interface RunningServer {
  /** The base URL of the web client, e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * How long a client may take to send a request's headers and the whole request, how long an idle
 * keep-alive connection stays open, and how many headers a request may have: a client that
 * trickles bytes cannot hold connections open for minutes. Checked every second.
 */
export const HTTP_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  /** At most 16 KB of headers (Node's default, stated here). */
  maxHeaderSize: 16 * 1024,
} as const;
/** More headers than this in one request are ignored. */
const MAX_HEADERS = 100;

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const accounts = new AccountStore(path.join(config.dataDir, 'accounts.db'));
  const media = new MediaServer({ ...config.janus, log });
  // Rooms come through the recording service, which closes a call's take before its room goes.
  const capture = createCallCapture({
    dataDir: config.dataDir,
    janusRecordingsDir: config.janus.recordingsDir,
    media,
    calls: () => signaling.callService,
    send: (handle, message) => signaling.sendTo(handle, message),
    log,
  });
  const signaling = new SignalingServer({
    accounts,
    rooms: capture.service,
    capture: capture.service,
    log,
    ringTimeoutMs: config.ringTimeoutSeconds * 1000,
    connectTimeoutMs: config.connectTimeoutSeconds * 1000,
    reconnectGraceMs: config.reconnectGraceSeconds * 1000,
    limits: config.limits,
    publicOrigins: config.publicOrigins,
  });
  media.onLost(() => signaling.mediaServerLost());
  await media.start();

  const web = createWebHandler({
    webRoot: config.webRoot,
    health: () => ({
      ok: media.connected,
      details: { janus: media.connected, connections: signaling.connectionCount, calls: signaling.callService.liveCalls },
    }),
    serveSourceMaps: config.serveSourceMaps,
  });
  // Each entry point answers its own failure: one bad request never reaches the process.
  const server = http.createServer(HTTP_LIMITS, (request, response) => {
    try {
      if (!capture.downloads.handle(request, response)) web(request, response);
    } catch (error) {
      log.error('an HTTP request failed unexpectedly', { error });
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('internal error');
    }
  });
  server.maxHeadersCount = MAX_HEADERS;
  server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
    try {
      if ((request.url ?? '/').split('?', 1)[0] !== '/ws') {
        socket.destroy();
        return;
      }
      signaling.handleUpgrade(request, socket, head);
    } catch (error) {
      log.error('a WebSocket upgrade failed unexpectedly', { error });
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      server.close();
      server.closeAllConnections();
      await signaling.close();
      await capture.close();
      await media.close();
      accounts.close();
    },
  };
}
