// The desktop host's key ports: one per call, delivered by the preload as window messages.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createElectronHost } from './electronHost';
import { KEY_PORT_MESSAGE, type PreloadApi } from '../../shared/bridge';

const ORIGIN = 'app://softphone';
const CALL_1 = 'AAAAAAAAAAAAAAAAAAAAAA';
const CALL_2 = 'BBBBBBBBBBBBBBBBBBBBBB';

let deliver: (callId: string, port: MessagePort) => void;

beforeEach(() => {
  const fakeWindow = {
    addEventListener: (_type: string, listener: (event: unknown) => void) => {
      deliver = (callId, port) => listener({ source: fakeWindow, origin: ORIGIN, data: { type: KEY_PORT_MESSAGE, callId }, ports: [port] });
    },
  };
  vi.stubGlobal('window', fakeWindow);
  vi.stubGlobal('location', { origin: ORIGIN });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const fakePort = () => ({ close: vi.fn() }) as unknown as MessagePort & { close: ReturnType<typeof vi.fn> };
const host = () => createElectronHost({ onEvent: () => () => undefined } as unknown as PreloadApi);
const settled = async (promise: Promise<unknown>) => Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 20))]);

describe('the desktop host’s key ports', () => {
  it('hands a port to the call that asks, before or after it arrives', async () => {
    const electron = host();
    const early = fakePort();
    deliver(CALL_1, early);
    await expect(electron.keyPort(CALL_1)).resolves.toBe(early);

    const asked = electron.keyPort(CALL_2);
    const late = fakePort();
    deliver(CALL_2, late);
    await expect(asked).resolves.toBe(late);
  });

  it('closes and forgets the ports and waiters of earlier calls when a port for a new call arrives', async () => {
    const electron = host();
    const unclaimed = fakePort();
    deliver(CALL_1, unclaimed);
    const current = fakePort();
    deliver(CALL_2, current);
    expect(unclaimed.close).toHaveBeenCalledOnce();
    expect(current.close).not.toHaveBeenCalled();
    expect(await settled(electron.keyPort(CALL_1))).toBe(false);
    await expect(electron.keyPort(CALL_2)).resolves.toBe(current);

    // A call that asked but never got its port is forgotten too: a late port for it is not handed over.
    const abandoned = electron.keyPort(CALL_1);
    deliver(CALL_2, fakePort());
    deliver(CALL_1, fakePort());
    expect(await settled(abandoned)).toBe(false);
  });
});
