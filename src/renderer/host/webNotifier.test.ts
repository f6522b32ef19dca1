import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebCallNotifier } from './webNotifier';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const ringing = { presence: 'available' as const, incomingCall: { callId: CALL_ID, from: 'bob', video: false } };
const idle = { presence: 'available' as const, incomingCall: null };

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  close() {
    this.closed = true;
  }
}

let page: { visibilityState: string; focused: boolean };
beforeEach(() => {
  FakeNotification.shown = [];
  FakeNotification.permission = 'granted';
  page = { visibilityState: 'hidden', focused: false };
  vi.stubGlobal('Notification', FakeNotification);
  vi.stubGlobal('document', {
    get visibilityState() {
      return page.visibilityState;
    },
    hasFocus: () => page.focused,
  });
  vi.stubGlobal('window', { focus: vi.fn() });
});
afterEach(() => vi.unstubAllGlobals());

describe('WebCallNotifier', () => {
  it('announces a call ringing in a background tab, and takes it away when the ringing stops', () => {
    const notifier = new WebCallNotifier(() => true);
    notifier.update(ringing);
    notifier.update(ringing);
    expect(FakeNotification.shown).toHaveLength(1);
    expect(FakeNotification.shown[0]).toMatchObject({ title: 'Incoming call', options: { body: 'bob is calling you.', tag: CALL_ID } });
    notifier.update(idle);
    expect(FakeNotification.shown[0]?.closed).toBe(true);
  });

  it('brings the tab forward when clicked', () => {
    new WebCallNotifier(() => true).update(ringing);
    FakeNotification.shown[0]?.onclick?.();
    expect(window.focus).toHaveBeenCalled();
  });

  it('stays quiet with notifications off, without the browser’s permission, or in a tab in front', () => {
    new WebCallNotifier(() => false).update(ringing);
    FakeNotification.permission = 'default';
    new WebCallNotifier(() => true).update(ringing);
    FakeNotification.permission = 'granted';
    page = { visibilityState: 'visible', focused: true };
    new WebCallNotifier(() => true).update(ringing);
    expect(FakeNotification.shown).toHaveLength(0);
  });
});
