// The life of one call as an explicit state machine. Pure: `transition` says what the next state
// is and, when the call ends, with which reason; `CallService` carries out the effects.
//
//   ringing ──accept──▶ connecting ──media-up──▶ active
//      │                     │                     │
//      └── decline / cancel / ring-timeout / hangup / disconnect / failure ──▶ ended (reason)
import type { CallRole, EndReason } from '../shared/protocol';

export type Party = CallRole;
export type CallState = 'ringing' | 'connecting' | 'active' | 'ended';

export type CallEvent =
  | { type: 'accept'; by: Party }
  | { type: 'decline'; by: Party }
  | { type: 'cancel'; by: Party }
  | { type: 'hangup'; by: Party }
  | { type: 'ring-timeout' }
  | { type: 'connect-timeout' }
  | { type: 'media-up' }
  | { type: 'disconnect'; by: Party }
  | { type: 'failure'; reason: 'failed' | 'e2ee-failed'; by?: Party };

export interface CallEnd {
  reason: EndReason;
  /** The party whose action or failure ended the call, when there is one. */
  by?: Party;
}

export type Transition = { ok: true; state: Exclude<CallState, 'ended'> } | { ok: true; state: 'ended'; end: CallEnd } | { ok: false; error: string };

const reject = (error: string): Transition => ({ ok: false, error });
const end = (reason: EndReason, by?: Party): Transition => ({ ok: true, state: 'ended', end: by ? { reason, by } : { reason } });

export function transition(state: CallState, event: CallEvent): Transition {
  if (state === 'ended') return reject('the call has ended');
  switch (event.type) {
    case 'accept':
      if (state !== 'ringing') return reject('only a ringing call can be accepted');
      if (event.by !== 'callee') return reject('only the callee can accept');
      return { ok: true, state: 'connecting' };
    case 'decline':
      if (state !== 'ringing') return reject('only a ringing call can be declined');
      if (event.by !== 'callee') return reject('only the callee can decline');
      return end('declined', 'callee');
    case 'cancel':
      if (state !== 'ringing') return reject('only a ringing call can be cancelled');
      if (event.by !== 'caller') return reject('only the caller can cancel');
      return end('cancelled', 'caller');
    case 'hangup':
      // Hanging up before an answer is a cancel (caller) or a decline (callee).
      if (state === 'ringing') return end(event.by === 'caller' ? 'cancelled' : 'declined', event.by);
      return end('hangup', event.by);
    case 'ring-timeout':
      return state === 'ringing' ? end('no-answer') : reject('the call is no longer ringing');
    case 'connect-timeout':
      return state === 'connecting' ? end('failed') : reject('the call is not connecting');
    case 'media-up':
      return state === 'connecting' ? { ok: true, state: 'active' } : reject('the call is not connecting');
    case 'disconnect':
      return end('disconnected', event.by);
    case 'failure':
      if (event.reason === 'e2ee-failed' && state === 'ringing') return reject('no handshake runs before the call is accepted');
      return end(event.reason, event.by);
  }
}

export function otherParty(party: Party): Party {
  return party === 'caller' ? 'callee' : 'caller';
}
