// The recording policy: whether this device may ask the server to record or transcribe a call,
// decided from the host's own knowledge of the call (CallSecurity.activeCall() in Electron main and
// in the web host) — never from what the renderer says about it. Recording and transcription need
// a server that can read the media, so they are refused whenever the call is, or may yet become,
// end-to-end encrypted. The renderer shows the same reasons on its disabled controls.
import { z } from 'zod';
import type { CallE2eeState } from './e2ee/callSecurity';
import { CallId, CaptureKind } from './protocol';

/** The reason the controls show, word for word, while a call is end-to-end encrypted. */
export const E2EE_CAPTURE_REASON = 'Unavailable: this call is end-to-end encrypted';

export const CaptureRequest = z.object({ callId: CallId, kind: CaptureKind });
export type CaptureRequest = z.infer<typeof CaptureRequest>;

export const CaptureRefusal = z.enum([
  'end-to-end-encrypted', // the call is end-to-end encrypted, or its encryption failed
  'not-settled', // the call's encryption is not decided yet: it may still become end-to-end encrypted
  'no-call', // this device has no call with that id
]);
export type CaptureRefusal = z.infer<typeof CaptureRefusal>;

export const CaptureDecision = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), refusal: CaptureRefusal, message: z.string().max(300) }),
]);
export type CaptureDecision = z.infer<typeof CaptureDecision>;

/** The call as the host knows it: its id and where its end-to-end encryption stands. */
export interface KnownCall {
  readonly callId: string;
  readonly e2ee: CallE2eeState;
}

/** Why capture is unavailable in a call in this state, or null when it is available. */
export function captureUnavailableReason(e2ee: CallE2eeState): { refusal: CaptureRefusal; message: string } | null {
  switch (e2ee) {
    case 'off':
      return null;
    case 'active':
    case 'failed':
      return { refusal: 'end-to-end-encrypted', message: E2EE_CAPTURE_REASON };
    case 'pending':
      return { refusal: 'not-settled', message: 'Unavailable until the call’s encryption is settled' };
  }
}

/** Decides one request to start recording or transcribing `request.callId`. */
export function decideCapture(request: CaptureRequest, call: KnownCall | null): CaptureDecision {
  if (!call || call.callId !== request.callId) {
    return { allowed: false, refusal: 'no-call', message: `There is no call in progress on this device to ${request.kind === 'recording' ? 'record' : 'transcribe'}` };
  }
  const unavailable = captureUnavailableReason(call.e2ee);
  return unavailable ? { allowed: false, ...unavailable } : { allowed: true };
}
