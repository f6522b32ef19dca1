// JanusGateway over a fake janode: what it asks Janus, in which order, and how it cleans up.
// The real Janus is exercised by e2e/janus-gateway.e2e.test.ts.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Jsep } from '../../shared/protocol';
import type { Logger } from '../log';
import type { JanusGateway as JanusGatewayClass, MediaEvent, MediaRoom } from './gateway';

type Deferred = { promise: Promise<unknown>; resolve: (value?: unknown) => void; reject: (error: Error) => void };
function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  let reject!: Deferred['reject'];
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A janode VideoRoom handle that records every call; tests override methods to fail or stall. */
class FakeHandle extends EventEmitter {
  static nextId = 1;
  readonly id = FakeHandle.nextId++;
  readonly calls: [string, unknown][] = [];
  detached = false;
  private readonly overrides = new Map<string, (arg: unknown) => Promise<unknown>>();

  failNext(method: string, behaviour: (arg: unknown) => Promise<unknown>): void {
    this.overrides.set(method, behaviour);
  }

  private call(method: string, arg: unknown, result: unknown): Promise<unknown> {
    this.calls.push([method, structuredClone(arg)]);
    const override = this.overrides.get(method);
    if (override) {
      this.overrides.delete(method);
      return override(arg);
    }
    return Promise.resolve(result);
  }

  create(request: { room: string }) {
    return this.call('create', request, { room: request.room, permanent: false });
  }
  destroy(request: { room: string }) {
    return this.call('destroy', request, { room: request.room });
  }
  /** Rooms Janus lists to the admin; tests set them. */
  listed: { room: string; description: string }[] = [];
  list(request: unknown) {
    return this.call('list', request, { list: this.listed });
  }
  joinConfigurePublisher(request: { room: string; feed: string }) {
    return this.call('joinConfigurePublisher', request, { room: request.room, feed: request.feed, jsep: { type: 'answer', sdp: `answer-${this.id}` } });
  }
  joinSubscriber(request: { room: string }) {
    return this.call('joinSubscriber', request, { room: request.room, jsep: { type: 'offer', sdp: `offer-${this.id}` } });
  }
  start(request: unknown) {
    return this.call('start', request, { started: 'ok' });
  }
  configure(request: unknown) {
    return this.call('configure', request, { configured: 'ok' });
  }
  trickle(candidate: unknown) {
    return this.call('trickle', candidate, undefined);
  }
  async detach() {
    await this.call('detach', undefined, undefined);
    this.detached = true;
    this.emit('handle_detached', { id: this.id });
  }
}

class FakeSession extends EventEmitter {
  readonly handles: FakeHandle[] = [];
  attachGate: Deferred | undefined;
  /** Prepares the next handle attached, before anyone uses it. */
  prepareNext: ((handle: FakeHandle) => void) | undefined;
  destroyed = false;
  async attach() {
    if (this.attachGate) await this.attachGate.promise;
    const handle = new FakeHandle();
    this.prepareNext?.(handle);
    this.prepareNext = undefined;
    this.handles.push(handle);
    return handle;
  }
  async destroy() {
    this.destroyed = true;
  }
}

class FakeConnection extends EventEmitter {
  readonly session = new FakeSession();
  createError: Error | undefined;
  closed = false;
  async create() {
    if (this.createError) throw this.createError;
    return this.session;
  }
  async close() {
    this.closed = true;
  }
}

const janode = { connection: new FakeConnection(), connectArgs: [] as unknown[], logLevel: '' };

vi.mock('janode', () => ({
  default: {
    connect: async (config: unknown) => {
      janode.connectArgs.push(config);
      return janode.connection;
    },
    Logger: { setLevel: (level: string) => (janode.logLevel = level) },
    EVENT: {
      CONNECTION_CLOSED: 'connection_closed',
      CONNECTION_ERROR: 'connection_error',
      SESSION_DESTROYED: 'session_destroyed',
      HANDLE_DETACHED: 'handle_detached',
      HANDLE_HANGUP: 'handle_hangup',
      HANDLE_MEDIA: 'handle_media',
      HANDLE_WEBRTCUP: 'handle_webrtcup',
    },
  },
}));
vi.mock('janode/plugins/videoroom', () => ({ default: { id: 'janus.plugin.videoroom' } }));

const { JanusGateway, JanusError } = await import('./gateway');

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const offer: Jsep = { type: 'offer', sdp: 'v=0 offer from the browser' };
const answer: Jsep = { type: 'answer', sdp: 'v=0 answer from the browser' };
const candidate = (n: number) => ({ candidate: `candidate:${n} 1 udp 1 10.231.0.1 5000${n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

function connect(options: { recordingsDir?: string; requestTimeoutMs?: number } = {}): Promise<JanusGatewayClass> {
  return JanusGateway.connect({ url: 'ws://10.231.0.2:8188', apiSecret: 'api-secret', adminKey: 'admin-key', log: silent, ...options });
}

const session = () => janode.connection.session;
const control = () => session().handles[0] as FakeHandle;
const handleAt = (index: number) => session().handles[index] as FakeHandle;
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('JanusGateway', () => {
  beforeEach(() => {
    janode.connection = new FakeConnection();
    janode.connectArgs = [];
  });

  it('connects with the API secret, silences janode, opens a session and a control handle', async () => {
    await connect();
    expect(janode.connectArgs).toEqual([{ address: { url: 'ws://10.231.0.2:8188', apisecret: 'api-secret' }, retry_time_secs: 1, max_retries: 2 }]);
    expect(janode.logLevel).toBe('none');
    expect(session().handles).toHaveLength(1);
  });

  it('turns a refused session into a JanusError with the code, and closes the connection', async () => {
    janode.connection.createError = new Error('403 Unauthorized request (wrong or missing secret/token)');
    const failure = connect();
    await expect(failure).rejects.toThrow('Janus refused "create session": 403 Unauthorized request (wrong or missing secret/token)');
    await expect(failure).rejects.toMatchObject({ code: 403, request: 'create session' });
    expect(janode.connection.closed).toBe(true);
  });

  it('reports why the WebSocket could not connect', async () => {
    const connectionRefused = { type: 'error', message: 'connect ECONNREFUSED 10.231.0.2:8188' };
    janode.connection.create = () => Promise.reject(connectionRefused);
    await expect(connect()).rejects.toThrow('Janus request "create session" failed: connect ECONNREFUSED 10.231.0.2:8188');
  });

  it.each([
    [
      { e2ee: true, video: true },
      { require_e2ee: true, fir_freq: 0 },
    ],
    [
      { e2ee: false, video: true },
      { require_e2ee: false, fir_freq: 10, rec_dir: '/tmp/recordings' },
    ],
    [
      { e2ee: false, video: false },
      { require_e2ee: false, fir_freq: 0, rec_dir: '/tmp/recordings' },
    ],
  ])('creates a private, temporary room per call: %j', async (settings, expected) => {
    const gateway = await connect({ recordingsDir: '/tmp/recordings' });
    const room = await gateway.createRoom(settings);
    const [method, request] = control().calls[0] ?? [];
    expect(method).toBe('create');
    expect(request).toEqual({
      room: room.id,
      description: 'softphone call',
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      admin_key: 'admin-key',
      max_publishers: 2,
      is_private: true,
      permanent: false,
      record: false,
      audiocodec: 'opus',
      videocodec: 'vp8',
      ...expected,
    });
    expect(room.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.e2ee).toBe(settings.e2ee);
  });

  it('destroys the rooms an earlier run left behind, and only those', async () => {
    const gateway = await connect();
    const live = await gateway.createRoom({ e2ee: true, video: false });
    const createdSecret = (control().calls[0]?.[1] as { secret: string }).secret;
    control().listed = [
      { room: live.id, description: 'softphone call' },
      { room: 'orphan-1', description: 'softphone call' },
      { room: 'somebody-elses', description: 'team standup' },
    ];
    expect(await gateway.sweepRooms()).toBe(1);
    const destroyed = control()
      .calls.filter(([method]) => method === 'destroy')
      .map(([, request]) => request as { room: string; secret: string });
    expect(destroyed.map((request) => request.room)).toEqual(['orphan-1']);
    // The secret is derived from the admin key and the room id, so a restarted server knows it.
    expect(destroyed[0]?.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(destroyed[0]?.secret).not.toBe(createdSecret);
  });

  it('gives every room its own id and secret', async () => {
    const gateway = await connect();
    const [a, b] = [await gateway.createRoom({ e2ee: true, video: false }), await gateway.createRoom({ e2ee: true, video: false })];
    const secrets = control().calls.map(([, request]) => (request as { secret: string }).secret);
    expect(a.id).not.toBe(b.id);
    expect(secrets[0]).not.toBe(secrets[1]);
  });

  describe('a room', () => {
    let gateway: JanusGatewayClass;
    let room: MediaRoom;
    let events: MediaEvent[];

    async function openRoom(e2ee: boolean) {
      gateway = await connect({ recordingsDir: '/tmp/recordings', requestTimeoutMs: 200 });
      room = await gateway.createRoom({ e2ee, video: true });
      events = [];
      room.onEvent((event) => events.push(event));
    }

    it('publishes with e2ee on the JSEP in an E2EE room, without touching the offer', async () => {
      await openRoom(true);
      const result = await room.publish('caller', offer);
      const publisher = handleAt(1);
      expect(publisher.calls).toEqual([['joinConfigurePublisher', { room: room.id, feed: 'caller', e2ee: true, jsep: offer }]]);
      expect(result).toEqual({ type: 'answer', sdp: `answer-${publisher.id}` });
      expect(offer).toEqual({ type: 'offer', sdp: 'v=0 offer from the browser' });
    });

    it('holds candidates that come before the handle, sends them in order after the answer, then directly', async () => {
      await openRoom(false);
      await room.trickle('caller', 'publisher', candidate(1));
      await room.trickle('caller', 'publisher', candidate(2));
      await room.publish('caller', offer);
      await room.trickle('caller', 'publisher', candidate(3));
      await room.trickle('caller', 'publisher', null);
      const trickles = handleAt(1)
        .calls.filter(([method]) => method === 'trickle')
        .map(([, c]) => c);
      expect(trickles).toEqual([
        { candidate: candidate(1).candidate, sdpMid: '0', sdpMLineIndex: 0 },
        { candidate: candidate(2).candidate, sdpMid: '0', sdpMLineIndex: 0 },
        { candidate: candidate(3).candidate, sdpMid: '0', sdpMLineIndex: 0 },
        null,
      ]);
      expect(handleAt(1).calls[0]?.[0]).toBe('joinConfigurePublisher');
    });

    it('reports a refused publish with Janus code, detaches the handle, and lets the party retry', async () => {
      await openRoom(true);
      const refusal = Object.assign(new Error('433 Room requires end-to-end encrypted media'), { _code: 433 });
      session().prepareNext = (handle) => handle.failNext('joinConfigurePublisher', () => Promise.reject(refusal));
      const failing = room.publish('caller', offer);
      await expect(failing).rejects.toMatchObject({ code: 433, message: expect.stringContaining('433 Room requires end-to-end encrypted media') });
      expect(handleAt(1).detached).toBe(true);
      await room.publish('caller', offer);
      expect(session().handles).toHaveLength(3);
    });

    it('refuses a second publisher for the same party while the first is live', async () => {
      await openRoom(false);
      const first = room.publish('caller', offer);
      await expect(room.publish('caller', offer)).rejects.toThrow(/caller already has a publisher/);
      await first;
    });

    it('subscribes only after the publisher is up, to that feed, and starts with the answer', async () => {
      await openRoom(true);
      await room.publish('caller', offer);
      await expect(room.subscribe('callee', 'caller')).rejects.toThrow(/caller has no media up/);
      await expect(room.subscribe('caller', 'caller')).rejects.toThrow(/itself/);
      handleAt(1).emit('handle_webrtcup', {});
      const subscriberOffer = await room.subscribe('callee', 'caller');
      const subscriber = handleAt(2);
      expect(subscriberOffer).toEqual({ type: 'offer', sdp: `offer-${subscriber.id}` });
      expect(subscriber.calls[0]).toEqual(['joinSubscriber', { room: room.id, streams: [{ feed: 'caller' }] }]);

      await room.trickle('callee', 'subscriber', candidate(7));
      await room.startSubscription('callee', answer);
      await flush();
      expect(subscriber.calls.slice(1)).toEqual([
        ['start', { jsep: answer, e2ee: true }],
        ['trickle', { candidate: candidate(7).candidate, sdpMid: '0', sdpMLineIndex: 0 }],
      ]);
      await expect(room.startSubscription('callee', answer)).rejects.toThrow(/already started/);
      await expect(room.startSubscription('caller', answer)).rejects.toThrow(/no pending subscription/);
    });

    it('passes Janus events on with the party and the leg, and allows a new publish after a hang-up', async () => {
      await openRoom(false);
      await room.publish('callee', offer);
      const publisher = handleAt(1);
      publisher.emit('handle_webrtcup', {});
      publisher.emit('handle_media', { type: 'audio', receiving: true, mid: '0' });
      publisher.emit('handle_hangup', { reason: 'DTLS alert' });
      expect(events).toEqual([
        { type: 'webrtcup', party: 'callee', leg: 'publisher' },
        { type: 'media', party: 'callee', leg: 'publisher', kind: 'audio', receiving: true },
        { type: 'hangup', party: 'callee', leg: 'publisher', reason: 'DTLS alert' },
      ]);
      await room.publish('callee', offer);
      expect(publisher.detached).toBe(true);
      expect(events).toHaveLength(3);
    });

    it('records a standard room on request and refuses in an E2EE room or with an unsafe name', async () => {
      await openRoom(false);
      await expect(room.startRecording('caller', 'call-1')).rejects.toThrow(/caller is not publishing/);
      await room.publish('caller', offer);
      await expect(room.startRecording('caller', '../../etc/cron.d/x')).rejects.toThrow(/recording filename/);
      await room.startRecording('caller', 'call-1');
      await room.stopRecording('caller');
      expect(handleAt(1).calls.slice(1)).toEqual([
        ['configure', { record: true, filename: 'call-1' }],
        ['configure', { record: false }],
      ]);

      const e2eeRoom = await gateway.createRoom({ e2ee: true, video: false });
      await expect(e2eeRoom.startRecording('caller', 'call-2')).rejects.toThrow(/end-to-end encrypted: recording is refused/);
      await expect(e2eeRoom.stopRecording('caller')).rejects.toThrow(/end-to-end encrypted/);
    });

    it('refuses to record when the gateway has no recordings folder', async () => {
      gateway = await connect();
      room = await gateway.createRoom({ e2ee: false, video: false });
      await room.publish('caller', offer);
      await expect(room.startRecording('caller', 'call-1')).rejects.toThrow(/no recordings folder/);
    });

    it('destroys once: detaches every handle, then the room with its secret; a second call does nothing', async () => {
      await openRoom(false);
      await room.publish('caller', offer);
      const { secret } = control().calls[0]?.[1] as { secret: string };
      await Promise.all([room.destroy(), room.destroy()]);
      await room.destroy();
      expect(handleAt(1).detached).toBe(true);
      expect(control().calls.filter(([method]) => method === 'destroy')).toEqual([['destroy', { room: room.id, secret }]]);
      await expect(room.publish('callee', offer)).rejects.toThrow(/was destroyed/);
      await expect(room.trickle('callee', 'publisher', null)).rejects.toThrow(/was destroyed/);
    });

    it('treats a room Janus no longer knows as destroyed, and retries a destroy that failed', async () => {
      await openRoom(false);
      control().failNext('destroy', () => Promise.reject(Object.assign(new Error('426 No such room (x)'), { _code: 426 })));
      await room.destroy();
      const other = await gateway.createRoom({ e2ee: false, video: false });
      control().failNext('destroy', () => Promise.reject(new Error('connection closed')));
      await expect(other.destroy()).rejects.toThrow('Janus request "destroy room');
      await other.destroy();
      expect(control().calls.filter(([method]) => method === 'destroy')).toHaveLength(3);
    });

    it('detaches a handle that arrives after the room was destroyed', async () => {
      await openRoom(false);
      const attachGate = deferred();
      session().attachGate = attachGate;
      const publishing = room.publish('caller', offer);
      await flush();
      const destroying = room.destroy();
      attachGate.resolve();
      await expect(publishing).rejects.toThrow(/was destroyed/);
      await destroying;
      expect(handleAt(1).detached).toBe(true);
    });

    it('bounds every request in time', async () => {
      await openRoom(false);
      session().prepareNext = (handle) => handle.failNext('joinConfigurePublisher', () => new Promise(() => undefined));
      const publishing = room.publish('caller', offer);
      await expect(publishing).rejects.toThrow(/no answer within 200 ms/);
      expect(handleAt(1).detached).toBe(true);
    });
  });

  it('reports a lost connection once, refuses new work, and lets rooms be dropped without Janus', async () => {
    const gateway = await connect();
    const room = await gateway.createRoom({ e2ee: false, video: false });
    const closes: (Error | undefined)[] = [];
    gateway.onClose((error) => closes.push(error));
    janode.connection.emit('connection_error', new Error('unexpected disconnection'));
    janode.connection.session.emit('session_destroyed', { id: 1 });
    expect(closes).toHaveLength(1);
    expect(closes[0]?.message).toMatch(/connection to Janus lost: unexpected disconnection/);
    await expect(gateway.createRoom({ e2ee: false, video: false })).rejects.toBeInstanceOf(JanusError);
    await expect(room.publish('caller', offer)).rejects.toThrow(/connection to Janus lost/);
    await room.destroy();
    expect(control().calls.filter(([method]) => method === 'destroy')).toEqual([]);
  });

  it('destroys open rooms on close, ends the session and the connection, and reports the close once', async () => {
    const gateway = await connect();
    const room = await gateway.createRoom({ e2ee: true, video: false });
    const closes: (Error | undefined)[] = [];
    const stop = gateway.onClose((error) => closes.push(error));
    await Promise.all([gateway.close(), gateway.close()]);
    expect(control().calls.filter(([method]) => method === 'destroy')).toEqual([['destroy', { room: room.id, secret: expect.any(String) }]]);
    expect(session().destroyed).toBe(true);
    expect(janode.connection.closed).toBe(true);
    expect(closes).toEqual([undefined]);
    stop();
    await expect(gateway.createRoom({ e2ee: true, video: false })).rejects.toThrow(/closed/);
  });
});
