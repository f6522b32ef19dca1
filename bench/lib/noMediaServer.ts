// The signaling server with rooms that carry no media — for the server benchmark only, to tell the
// call state machine's own capacity from Janus's. The real SignalingServer and AccountStore over
// one HTTP port (WebSocket at /ws, /healthz), like src/server/server.ts, with a room factory whose
// rooms are made and destroyed at once and never publish anything.
// Usage: node --import tsx bench/lib/noMediaServer.ts <data-dir>   (prints the URL like the server)
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AccountStore } from '../../src/server/accounts';
import type { CallRoom, RoomFactory } from '../../src/server/calls';
import { createLogger } from '../../src/server/log';
import { SignalingServer } from '../../src/server/signaling';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: noMediaServer.ts <data-dir>');

const refuse = () => Promise.reject(new Error('this benchmark room carries no media'));
const rooms: RoomFactory = {
  createRoom: async ({ e2ee }) => {
    const room: CallRoom = {
      id: randomBytes(16).toString('base64url'),
      e2ee,
      onEvent: () => () => undefined,
      publish: refuse,
      subscribe: refuse,
      startSubscription: refuse,
      trickle: refuse,
      destroy: () => Promise.resolve(),
    };
    return room;
  },
};

const accounts = new AccountStore(join(dataDir, 'accounts.db'));
// Limits lifted (as LOOSE_LIMIT_ARGS does for the real server): the load is many accounts from one address.
const loose = 100_000;
const signaling = new SignalingServer({
  accounts,
  rooms,
  log: createLogger({ level: 'info' }),
  ringTimeoutMs: 45_000,
  connectTimeoutMs: 30_000,
  reconnectGraceMs: 10_000,
  limits: {
    pendingPerAddress: 1000,
    loginsPerAddressPerMinute: loose,
    loginsPerMinute: loose,
    registrationsPerAddressPerHour: loose,
    registrationsPerMinute: loose,
    callsPerMinute: loose,
    callsToOnePerMinute: loose,
    callsReceivedPerMinute: loose,
  },
});
const server = http.createServer((request, response) => {
  if (request.url !== '/healthz') return void response.writeHead(404).end();
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify({ ok: true, connections: signaling.connectionCount, calls: signaling.callService.liveCalls }));
});
server.on('upgrade', (request, socket, head) => {
  if (request.url !== '/ws') return void socket.destroy();
  signaling.handleUpgrade(request, socket, head);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`Softphone web client: http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`));
process.on('SIGTERM', () => {
  void signaling.close().then(() => {
    accounts.close();
    process.exit(0);
  });
});
