import { describe, expect, it } from 'vitest';
import type { AppStatus } from './bridge';
import { incomingCallNotice, notificationActionEvent, notificationStep } from './incomingCallNotice';

const CALL_A = 'AAECAwQFBgcICQoLDA0ODw';
const CALL_B = 'BBECAwQFBgcICQoLDA0ODw';
const ringing = (callId = CALL_A, video = false): NonNullable<AppStatus['incomingCall']> => ({ callId, from: 'bob', video });
const away = { notificationsOn: true, windowFocused: false };

describe('notificationStep', () => {
  it('announces a new ringing call while the user is away from the window', () => {
    expect(notificationStep(null, ringing(), away)).toEqual({ kind: 'show', notice: incomingCallNotice(ringing()) });
  });

  it('does not announce the same call twice', () => {
    expect(notificationStep(ringing(), ringing(), away)).toEqual({ kind: 'none' });
  });

  it('respects the notifications setting', () => {
    expect(notificationStep(null, ringing(), { ...away, notificationsOn: false })).toEqual({ kind: 'none' });
  });

  it('stays quiet when the window is in front: the app shows the call itself', () => {
    expect(notificationStep(null, ringing(), { ...away, windowFocused: true })).toEqual({ kind: 'none' });
  });

  it('takes the notification away when the call stops ringing', () => {
    expect(notificationStep(ringing(), null, away)).toEqual({ kind: 'close' });
    expect(notificationStep(null, null, away)).toEqual({ kind: 'none' });
  });

  it('replaces the notification of an earlier call, or just closes it when it may not notify', () => {
    expect(notificationStep(ringing(CALL_A), ringing(CALL_B), away)).toMatchObject({ kind: 'show', notice: { callId: CALL_B } });
    expect(notificationStep(ringing(CALL_A), ringing(CALL_B), { ...away, notificationsOn: false })).toEqual({ kind: 'close' });
  });
});

describe('incomingCallNotice', () => {
  it('names the caller and the kind of call, with Accept and Decline', () => {
    expect(incomingCallNotice(ringing())).toEqual({ callId: CALL_A, title: 'Incoming call', body: 'bob is calling you.', actions: ['Accept', 'Decline'] });
    expect(incomingCallNotice(ringing(CALL_A, true)).title).toBe('Incoming video call');
  });
});

describe('notificationActionEvent', () => {
  const notice = incomingCallNotice(ringing());
  it('accepts with the first button and declines with the second, for that call', () => {
    expect(notificationActionEvent(notice, 0)).toEqual({ type: 'accept-call', callId: CALL_A });
    expect(notificationActionEvent(notice, 1)).toEqual({ type: 'decline-call', callId: CALL_A });
    expect(notificationActionEvent(notice, 2)).toBeNull();
    expect(notificationActionEvent(notice, -1)).toBeNull();
  });
});
