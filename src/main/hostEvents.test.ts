import { describe, expect, it, vi } from 'vitest';
import { HostEventOutbox, type HostEventRecipient } from './hostEvents';
import { HOST_EVENT_CHANNEL } from '../shared/desktop/ipcChannels';

function fakeWindow(loading: boolean) {
  const finishLoadListeners: (() => void)[] = [];
  const state = { loading };
  const window = {
    send: vi.fn(),
    isLoading: () => state.loading,
    on: (_event: 'did-finish-load', listener: () => void) => {
      finishLoadListeners.push(listener);
    },
  } satisfies HostEventRecipient;
  const finishLoading = () => {
    state.loading = false;
    for (const listener of finishLoadListeners) listener();
  };
  const startReloading = () => {
    state.loading = true;
  };
  return { window, finishLoading, startReloading };
}

describe('HostEventOutbox', () => {
  it('holds events until a window is attached and has loaded, then sends them in order', () => {
    const outbox = new HostEventOutbox();
    const { window, finishLoading } = fakeWindow(true);
    outbox.send({ type: 'dial', handle: 'bob' });
    outbox.attach(window);
    outbox.send({ type: 'toggle-mute' });
    expect(window.send).not.toHaveBeenCalled();

    finishLoading();
    expect(window.send.mock.calls).toEqual([
      [HOST_EVENT_CHANNEL, { type: 'dial', handle: 'bob' }],
      [HOST_EVENT_CHANNEL, { type: 'toggle-mute' }],
    ]);
  });

  it('sends at once to a loaded window', () => {
    const outbox = new HostEventOutbox();
    const { window } = fakeWindow(false);
    outbox.attach(window);
    outbox.send({ type: 'toggle-mute' });
    expect(window.send).toHaveBeenCalledTimes(1);
  });

  it('holds an event sent while the page reloads until the reload has finished', () => {
    const outbox = new HostEventOutbox();
    const { window, finishLoading, startReloading } = fakeWindow(false);
    outbox.attach(window);
    outbox.send({ type: 'toggle-mute' });
    expect(window.send).toHaveBeenCalledTimes(1);

    startReloading();
    outbox.send({ type: 'dial', handle: 'bob' });
    expect(window.send).toHaveBeenCalledTimes(1);

    finishLoading();
    expect(window.send).toHaveBeenCalledTimes(2);
    expect(window.send).toHaveBeenLastCalledWith(HOST_EVENT_CHANNEL, { type: 'dial', handle: 'bob' });
  });

  it('refuses an event that does not match the contract', () => {
    const outbox = new HostEventOutbox();
    expect(() => outbox.send({ type: 'dial', handle: 'Bob Smith' })).toThrow();
  });
});
