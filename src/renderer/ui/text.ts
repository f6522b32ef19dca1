// What the screens say about calls, in one place.
import type { EndedCallView } from '../store/appStore';
import type { StandardReason } from '../../shared/bridge';

export function endedText(ended: EndedCallView): string {
  const { peer, byMe, detail } = ended;
  const missed = ended.direction === 'incoming' && !byMe;
  switch (ended.reason) {
    case 'hangup':
      return byMe ? 'You hung up.' : `${peer} hung up.`;
    case 'declined':
      return byMe ? 'You declined the call.' : `${peer} declined the call.`;
    case 'busy':
      return `${peer} is busy in another call.`;
    case 'dnd':
      return `${peer} is not taking calls right now (do not disturb).`;
    case 'no-answer':
      return missed ? `Missed call from ${peer}.` : `${peer} did not answer.`;
    case 'cancelled':
      return byMe ? 'You cancelled the call.' : `Missed call from ${peer}.`;
    case 'offline':
      return `${peer} is offline.`;
    case 'unknown-user':
      return `No one is registered as “${peer}”.`;
    case 'disconnected':
      return byMe ? 'The call ended: your connection to the server was lost.' : `The call ended: ${peer}’s connection was lost.`;
    case 'failed':
      return detail ? `The call failed: ${detail}.` : 'The call failed.';
    case 'server-shutdown':
      return 'The call ended: the server was shut down (it may be restarting).';
    case 'e2ee-failed':
      return `The call ended because end-to-end encryption could not be established${detail ? `: ${detail}` : ''}.`;
  }
}

export function standardReasonText(reason: StandardReason, peer: string): string {
  switch (reason) {
    case 'local-off':
      return 'You have end-to-end encryption off.';
    case 'peer-off':
      return `${peer} has end-to-end encryption off.`;
    case 'both-off':
      return `You have end-to-end encryption off, and so does ${peer}.`;
  }
}

/** Before both decisions are known: whether the call will be end-to-end encrypted, and why. */
export function expectedEncryptionText(wanted: { mine: boolean; peer: boolean | null }, peer: string): string {
  if (wanted.peer === null) {
    return wanted.mine
      ? `You have end-to-end encryption on: the call is end-to-end encrypted if ${peer} has it on too.`
      : 'You have end-to-end encryption off: the call will use standard encryption.';
  }
  if (wanted.mine && wanted.peer) return `The call will be end-to-end encrypted: you and ${peer} both have it on.`;
  if (wanted.peer) return `${peer} asks for end-to-end encryption, but you have it off: the call will use standard encryption.`;
  if (wanted.mine) return `${peer} has end-to-end encryption off: the call will use standard encryption, although you have it on.`;
  return `You and ${peer} both have end-to-end encryption off: the call will use standard encryption.`;
}

/** 20 digits as four groups of five, the way users read them aloud. */
export function formatSecurityCode(code: string): string {
  return code.replace(/(\d{5})(?=\d)/g, '$1 ');
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return minutes >= 60 ? `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
