// A loopback reverse proxy in front of the server that adds Cross-Origin-Embedder-Policy to every
// response, so the web client is cross-origin isolated (the server already sends
// Cross-Origin-Opener-Policy) and the E2EE worker's clock has 5 µs resolution instead of 100 µs.
// HTTP requests are forwarded as they are; WebSocket upgrades are piped through untouched.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface IsolatingProxy {
  /** The web client through the proxy, e.g. http://127.0.0.1:40123/ */
  url: string;
  close(): Promise<void>;
}

export async function startIsolatingProxy(serverUrl: string): Promise<IsolatingProxy> {
  const target = new URL(serverUrl);
  const port = Number(target.port);
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((request, response) => {
    const upstream = http.request({ host: target.hostname, port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'cross-origin-embedder-policy': 'require-corp' });
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  proxy.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  proxy.on('upgrade', (request, client, head) => {
    const upstream = net.connect(port, target.hostname, () => {
      const headers = Object.entries(request.headers).flatMap(([name, value]) =>
        Array.isArray(value) ? value.map((v) => `${name}: ${v}`) : [`${name}: ${value}`],
      );
      upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
