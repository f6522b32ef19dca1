import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './encoding';
import {
  authorizeCapture,
  CaptureDecision,
  captureStatementBytes,
  captureUnavailableReason,
  decideCapture,
  E2EE_CAPTURE_REASON,
  verifyCaptureStatement,
} from './recordingPolicy';

const CALL_ID = 'AAECAwQFBgcICQoLDA0ODw';
const OTHER_CALL = 'ZZECAwQFBgcICQoLDA0ODw';

describe('decideCapture', () => {
  it.each(['recording', 'transcription'] as const)('allows %s only in a call whose encryption is settled as standard', (kind) => {
    expect(decideCapture({ callId: CALL_ID, kind }, { callId: CALL_ID, e2ee: 'off' })).toEqual({ allowed: true });
  });

  it.each(['recording', 'transcription'] as const)('refuses %s while the call is end-to-end encrypted, with the reason the UI shows', (kind) => {
    expect(decideCapture({ callId: CALL_ID, kind }, { callId: CALL_ID, e2ee: 'active' })).toEqual({
      allowed: false,
      refusal: 'end-to-end-encrypted',
      message: E2EE_CAPTURE_REASON,
    });
  });

  it('refuses when end-to-end encryption failed: the call is being torn down, not downgraded', () => {
    expect(decideCapture({ callId: CALL_ID, kind: 'recording' }, { callId: CALL_ID, e2ee: 'failed' })).toMatchObject({
      allowed: false,
      refusal: 'end-to-end-encrypted',
    });
  });

  it('refuses while the encryption is not settled: the call may still become end-to-end encrypted', () => {
    const decision = decideCapture({ callId: CALL_ID, kind: 'transcription' }, { callId: CALL_ID, e2ee: 'pending' });
    expect(decision).toMatchObject({ allowed: false, refusal: 'not-settled' });
  });

  it('refuses with no call, or for a call other than the one in progress', () => {
    expect(decideCapture({ callId: CALL_ID, kind: 'recording' }, null)).toEqual({
      allowed: false,
      refusal: 'no-call',
      message: 'There is no call in progress on this device to record',
    });
    expect(decideCapture({ callId: OTHER_CALL, kind: 'transcription' }, { callId: CALL_ID, e2ee: 'off' })).toMatchObject({
      allowed: false,
      refusal: 'no-call',
      message: 'There is no call in progress on this device to transcribe',
    });
  });
});

describe('the capture statement', () => {
  const seed = new Uint8Array(32).fill(3);
  const key = ed25519.getPublicKey(seed);
  const request = { callId: CALL_ID, kind: 'recording' as const };

  it('is signed only when the policy allows, and the bridge contract accepts every decision', () => {
    for (const e2ee of ['off', 'active', 'failed', 'pending'] as const) {
      const decision = authorizeCapture(request, { callId: CALL_ID, e2ee }, seed);
      expect(CaptureDecision.safeParse(decision).success).toBe(true);
      expect('statement' in decision).toBe(e2ee === 'off');
    }
    expect(authorizeCapture(request, null, seed)).toMatchObject({ allowed: false, refusal: 'no-call' });
  });

  it('verifies for its signer, call and kind only', () => {
    const decision = authorizeCapture(request, { callId: CALL_ID, e2ee: 'off' }, seed);
    if (!decision.allowed) throw new Error('allowed expected');
    expect(verifyCaptureStatement(decision.statement, request, key)).toBe(true);
    expect(verifyCaptureStatement(decision.statement, { ...request, kind: 'transcription' }, key)).toBe(false);
    expect(verifyCaptureStatement(decision.statement, { ...request, callId: OTHER_CALL }, key)).toBe(false);
    expect(verifyCaptureStatement(decision.statement, request, ed25519.getPublicKey(new Uint8Array(32).fill(4)))).toBe(false);
    expect(verifyCaptureStatement('not base64!', request, key)).toBe(false);
    expect(verifyCaptureStatement(toBase64Url(new Uint8Array(63)), request, key)).toBe(false);
  });

  it('is domain-separated: the bytes name the capture domain, the call, the kind, "not end-to-end encrypted" and the signer', () => {
    const text = new TextDecoder().decode(captureStatementBytes(request, key));
    expect(text).toContain('softphone/capture/v1');
    expect(text).toContain(CALL_ID);
    expect(text).toContain('recording');
    // A signature over the same fields without the domain (another kind of statement) does not verify.
    const bare = ed25519.sign(captureStatementBytes(request, key).slice(4 + 'softphone/capture/v1'.length), seed);
    expect(verifyCaptureStatement(toBase64Url(bare), request, key)).toBe(false);
  });

  it('is checked strictly: a malleated signature (S + L) is refused', () => {
    const decision = authorizeCapture(request, { callId: CALL_ID, e2ee: 'off' }, seed);
    if (!decision.allowed) throw new Error('allowed expected');
    const signature = fromBase64Url(decision.statement);
    // Add the group order L to S (little-endian, bytes 32..63): the same point equation holds, but S >= L is not canonical.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
    s += L;
    const malleated = signature.slice();
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(s & 0xffn);
      s >>= 8n;
    }
    expect(s).toBe(0n);
    expect(verifyCaptureStatement(toBase64Url(malleated), request, key)).toBe(false);
  });
});

describe('captureUnavailableReason', () => {
  it('is null only for a standard call', () => {
    expect(captureUnavailableReason('off')).toBeNull();
    expect(captureUnavailableReason('active')?.message).toBe('Unavailable: this call is end-to-end encrypted');
    expect(captureUnavailableReason('pending')?.refusal).toBe('not-settled');
  });
});
