// The recording policy: whether this device may ask the server to record or transcribe a call,
// decided from the host's own knowledge of the call (CallSecurity.activeCall() in Electron main and
// in the web host) — never from what the renderer says about it. Recording and transcription need
// a server that can read the media, so they are refused whenever the call is, or may yet become,
// end-to-end encrypted. The renderer shows the same reasons on its disabled controls.
//
// The policy is enforced, not advisory: when it allows, the host signs a capture statement with the
// identity key (which only the host holds) naming the call, the kind of capture and that the call
// is not end-to-end encrypted, and the server starts nothing without a statement that verifies
// against the requester's account key. A renderer that skips the host has no statement to send.
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import type { CallE2eeState } from './e2ee/callSecurity';
import { encodeFields } from './e2ee/fields';
import { fromBase64Url, toBase64Url, utf8ToBytes } from './encoding';
import { CallId, CaptureKind, Signature } from './protocol';

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

const Refused = z.object({ allowed: z.literal(false), refusal: CaptureRefusal, message: z.string().max(300) });

export const CaptureDecision = z.discriminatedUnion('allowed', [
  /** `statement`: the signed capture statement the server requires with `recording.start` / `transcription.start`. */
  z.object({ allowed: z.literal(true), statement: Signature }),
  Refused,
]);
export type CaptureDecision = z.infer<typeof CaptureDecision>;

/** The policy's verdict before anything is signed. */
export type CaptureVerdict = { allowed: true } | z.infer<typeof Refused>;

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
export function decideCapture(request: CaptureRequest, call: KnownCall | null): CaptureVerdict {
  if (!call || call.callId !== request.callId) {
    return {
      allowed: false,
      refusal: 'no-call',
      message: `There is no call in progress on this device to ${request.kind === 'recording' ? 'record' : 'transcribe'}`,
    };
  }
  const unavailable = captureUnavailableReason(call.e2ee);
  return unavailable ? { allowed: false, ...unavailable } : { allowed: true };
}

/** The domain of the signed capture statement; nothing else is signed under it. */
export const CAPTURE_DOMAIN = 'softphone/capture/v1';

/**
 * The signed bytes: domain, call id, kind of capture, a 0 byte for "not end-to-end encrypted", and
 * the signer's identity key, each length-prefixed. Call ids are random and never reused, so a
 * statement is good for one call and one kind only.
 */
export function captureStatementBytes(request: CaptureRequest, signerKey: Uint8Array): Uint8Array {
  return encodeFields(CAPTURE_DOMAIN, [utf8ToBytes(request.callId), utf8ToBytes(request.kind), Uint8Array.of(0), signerKey]);
}

/**
 * The host's answer to `capture.authorize`: the policy's verdict on the host's own view of the
 * call, and when it allows, the statement signed with the identity seed. Nothing is signed when
 * the policy refuses.
 */
export function authorizeCapture(request: CaptureRequest, call: KnownCall | null, identitySeed: Uint8Array): CaptureDecision {
  const verdict = decideCapture(request, call);
  if (!verdict.allowed) return verdict;
  const statement = ed25519.sign(captureStatementBytes(request, ed25519.getPublicKey(identitySeed)), identitySeed);
  return { allowed: true, statement: toBase64Url(statement) };
}

/** The server's check: was `statement` signed for this call and kind by `signerKey` (strict RFC 8032)? */
export function verifyCaptureStatement(statement: string, request: CaptureRequest, signerKey: Uint8Array): boolean {
  try {
    const signature = fromBase64Url(statement);
    return signature.length === 64 && ed25519.verify(signature, captureStatementBytes(request, signerKey), signerKey, { zip215: false });
  } catch {
    return false;
  }
}
