// A hostile middlebox for tests: it serves the web client from the real server and relays each
// client's signaling WebSocket to it, letting a test rewrite, drop or inject messages on the way
// (an attacker on the network path, or a compromised server). Users who open `relay.url` get the
// app and talk to the real server only through the relay, which passes the client's Host and
// Origin headers on: the server takes the relay's address for its own, as it would an on-path
// attacker's (a server started without --public-origin trusts the Host header).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClientMessage, ServerMessage } from '../../src/shared/protocol';

/** One client's connection through the relay. */
export interface RelayLink {
  /** The handle the client logged in as (known once the server answered its login). */
  handle: string | null;
  toServer(message: ClientMessage): void;
  toClient(message: ServerMessage): void;
}

/** What the relay does with each message; the default forwards it unchanged. */
export interface Tampering {
  fromClient?(link: RelayLink, message: ClientMessage): void;
  fromServer?(link: RelayLink, message: ServerMessage): void;
}

export interface TamperingRelay {
  readonly url: string;
  /** Swaps what the relay does from now on. */
  setTampering(tampering: Tampering): void;
  /**
   * Cuts `handle`'s signaling connection and refuses every new one for `ms` (a network outage
   * between that client and the server); media is not affected.
   */
  interrupt(handle: string, ms: number): void;
  close(): Promise<void>;
}

export async function startTamperingRelay(serverUrl: string): Promise<TamperingRelay> {
  const target = new URL(serverUrl);
  let tampering: Tampering = {};
  const sockets = new Set<WebSocket>();
  const links = new Map<RelayLink, WebSocket>();
  let refuseUntil = 0;

  const proxy = http.createServer((request, response) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  const wss = new WebSocketServer({ server: proxy, path: '/ws' });
  wss.on('connection', (client, request) => {
    if (Date.now() < refuseUntil) {
      client.close(1013, 'unreachable');
      return;
    }
    // Passed on as the client sent them, as a transparent middlebox does: to the server the client
    // dialled it (which it did, by the relay's address), so logins signed for it are accepted.
    const headers = { host: request.headers.host ?? target.host, ...(request.headers.origin ? { origin: request.headers.origin } : {}) };
    const server = new WebSocket(new URL('/ws', target).href.replace(/^http/, 'ws'), { headers });
    sockets.add(client).add(server);
    const pending: string[] = [];
    const link: RelayLink = {
      handle: null,
      toServer: (message) => {
        const text = JSON.stringify(message);
        if (server.readyState === WebSocket.OPEN) server.send(text);
        else pending.push(text);
      },
      toClient: (message) => {
        if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(message));
      },
    };
    links.set(link, client);
    server.on('open', () => pending.splice(0).forEach((text) => server.send(text)));
    client.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ClientMessage;
      if (tampering.fromClient) tampering.fromClient(link, message);
      else link.toServer(message);
    });
    server.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'session') link.handle = message.handle;
      if (tampering.fromServer) tampering.fromServer(link, message);
      else link.toClient(message);
    });
    client.on('close', () => {
      links.delete(link);
      server.close();
    });
    server.on('close', () => client.close());
    client.on('error', () => undefined);
    server.on('error', () => client.close());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    setTampering(next) {
      tampering = next;
    },
    interrupt(handle, ms) {
      refuseUntil = Date.now() + ms;
      for (const [link, client] of links) if (link.handle === handle) client.terminate();
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
