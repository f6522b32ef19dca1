import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEY_PORT_MESSAGE, type FrameKeysMessage } from '../shared/bridge';
import { KeyPortRegistry } from './keyPorts';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const OTHER_CALL = 'ICEiIyQlJicoKSorLC0uLw';

function frameKeys(callId = CALL_ID): FrameKeysMessage {
  return { type: 'frame-keys', callId, localSender: 0, sendBaseKey: new Uint8Array(16).fill(1), receiveBaseKey: new Uint8Array(16).fill(2) };
}

/** Stands in for the app window: keeps the ports it is handed. */
function fakeWindow() {
  const received: { channel: string; message: unknown; port: MessagePort }[] = [];
  return {
    received,
    postMessage(channel: string, message: unknown, transfer: MessagePort[]) {
      const [port] = transfer;
      if (port) received.push({ channel, message, port });
    },
  };
}

function nextMessage(port: MessagePort): Promise<unknown> {
  return new Promise((resolve) => port.once('message', resolve));
}

const opened: MessagePort[] = [];
function registry() {
  return new KeyPortRegistry<MessagePort>(() => {
    const channel = new MessageChannel();
    opened.push(channel.port1, channel.port2);
    return channel;
  });
}
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
  vi.restoreAllMocks();
});

describe('KeyPortRegistry', () => {
  it('hands the window one end of a new channel, named for the call', () => {
    const window = fakeWindow();
    registry().open(CALL_ID, window);
    expect(window.received).toHaveLength(1);
    expect(window.received[0]).toMatchObject({ channel: KEY_PORT_MESSAGE, message: { callId: CALL_ID } });
  });

  it('delivers a call’s frame keys on that call’s port', async () => {
    const window = fakeWindow();
    const ports = registry();
    ports.open(CALL_ID, window);
    const far = window.received[0]?.port;
    if (!far) throw new Error('no port');

    const arrived = nextMessage(far);
    ports.deliver(frameKeys());
    expect(await arrived).toEqual(frameKeys());
  });

  it('drops keys for a call without a port, and after the call ended', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const window = fakeWindow();
    const ports = registry();
    ports.open(CALL_ID, window);
    const far = window.received[0]?.port;
    const listener = vi.fn();
    far?.on('message', listener);

    ports.deliver(frameKeys(OTHER_CALL));
    ports.close(CALL_ID);
    ports.deliver(frameKeys());

    expect(warn).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/1,1,1|2,2,2/);
    expect(listener).not.toHaveBeenCalled();
  });

  it('replaces the port when a call is prepared again, closing the old one', async () => {
    const window = fakeWindow();
    const ports = registry();
    ports.open(CALL_ID, window);
    const firstClosed = new Promise((resolve) => window.received[0]?.port.once('close', resolve));
    ports.open(CALL_ID, window);
    await firstClosed;

    const arrived = nextMessage(window.received[1]?.port as MessagePort);
    ports.deliver(frameKeys());
    expect(await arrived).toMatchObject({ callId: CALL_ID });
  });

  it('refuses to send something that is not a frame-keys message', () => {
    const ports = registry();
    ports.open(CALL_ID, fakeWindow());
    expect(() => ports.deliver({ ...frameKeys(), sendBaseKey: 'x' } as unknown as FrameKeysMessage)).toThrow();
  });

  it('closes the port of any other call when a call is prepared: one call at a time', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const window = fakeWindow();
    const ports = registry();
    ports.open(CALL_ID, window);
    const firstClosed = new Promise((resolve) => window.received[0]?.port.once('close', resolve));
    ports.open(OTHER_CALL, window);
    await firstClosed;

    ports.deliver(frameKeys());
    expect(warn).toHaveBeenCalledTimes(1);
    const arrived = nextMessage(window.received[1]?.port as MessagePort);
    ports.deliver(frameKeys(OTHER_CALL));
    expect(await arrived).toMatchObject({ callId: OTHER_CALL });
  });

  it('closes every port at once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const window = fakeWindow();
    const ports = registry();
    ports.open(CALL_ID, window);
    const closed = new Promise((resolve) => window.received[0]?.port.once('close', resolve));
    ports.closeAll();
    await closed;
    ports.deliver(frameKeys());
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
