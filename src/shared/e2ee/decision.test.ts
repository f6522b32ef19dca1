import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../encoding';
import { E2eeDecision } from '../protocol';
import { type DecisionFields, decisionBytes, signDecision, verifyDecision } from './decision';

const callerSeed = new Uint8Array(32).fill(1);
const calleeSeed = new Uint8Array(32).fill(2);
const callerKey = ed25519.getPublicKey(callerSeed);
const calleeKey = ed25519.getPublicKey(calleeSeed);
const callId = 'AAAAAAAAAAAAAAAAAAAAAA';

const HYBRID = 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256';
const fields: DecisionFields = { callId, role: 'caller', e2ee: true, signerKey: callerKey, peerKey: calleeKey, handshake: HYBRID, issuedAt: 1_700_000_000_000 };
const expectation = { callId, expectedRole: 'caller' as const, signerKey: callerKey, peerKey: calleeKey };

describe('E2EE decision', () => {
  it('signs a decision that fits the protocol schema and verifies', () => {
    const decision = signDecision(callerSeed, fields);
    expect(E2eeDecision.parse(decision)).toEqual(decision);
    expect(decision).toMatchObject({ e2ee: true, role: 'caller', handshake: HYBRID });
    expect(verifyDecision(decision, expectation)).toEqual({ ok: true });
    const off = signDecision(callerSeed, { ...fields, e2ee: false });
    expect(verifyDecision(off, expectation)).toEqual({ ok: true });
  });

  it('signs domain-separated, length-prefixed bytes', () => {
    const bytes = new TextDecoder().decode(decisionBytes(fields));
    expect(bytes).toContain('softphone/e2ee-decision/v2');
    expect(bytes).toContain(HYBRID);
    expect(bytes.endsWith('1700000000000')).toBe(true);
    expect(decisionBytes(fields)).toHaveLength(4 + 26 + 4 + 22 + 4 + 6 + 4 + 1 + 4 + 32 + 4 + 32 + 4 + HYBRID.length + 4 + 13);
  });

  it('refuses a changed signing time', () => {
    const decision = signDecision(callerSeed, fields);
    expect(verifyDecision({ ...decision, issuedAt: decision.issuedAt + 1 }, expectation)).toMatchObject({ ok: false, reason: /time/ });
  });

  it('refuses a flipped flag', () => {
    const decision = signDecision(callerSeed, fields);
    expect(verifyDecision({ ...decision, e2ee: false }, expectation)).toMatchObject({ ok: false, reason: /does not match/ });
  });

  it('refuses a handshake suite other than the one signed: no downgrade to the classical handshake', () => {
    const decision = signDecision(callerSeed, fields);
    expect(verifyDecision({ ...decision, handshake: 'Noise_XX_25519_AESGCM_SHA256' }, expectation)).toMatchObject({ ok: false, reason: /handshake/ });
  });

  it('refuses a swapped role', () => {
    const decision = signDecision(callerSeed, fields);
    expect(verifyDecision({ ...decision, role: 'callee' }, expectation)).toMatchObject({ ok: false, reason: /signed as the callee/ });
    expect(verifyDecision(decision, { ...expectation, expectedRole: 'callee' })).toMatchObject({ ok: false });
    // A decision the callee really signed cannot stand in for the caller's.
    const calleeDecision = signDecision(calleeSeed, { ...fields, role: 'callee', signerKey: calleeKey, peerKey: callerKey });
    expect(verifyDecision({ ...calleeDecision, role: 'caller' }, expectation)).toMatchObject({ ok: false });
  });

  it('refuses a decision from another call', () => {
    const decision = signDecision(callerSeed, { ...fields, callId: 'BBBBBBBBBBBBBBBBBBBBBB' });
    expect(verifyDecision(decision, expectation)).toMatchObject({ ok: false });
  });

  it('refuses other keys', () => {
    const decision = signDecision(callerSeed, fields);
    const otherKey = ed25519.getPublicKey(new Uint8Array(32).fill(3));
    expect(verifyDecision(decision, { ...expectation, signerKey: otherKey })).toMatchObject({ ok: false });
    expect(verifyDecision(decision, { ...expectation, peerKey: otherKey })).toMatchObject({ ok: false });
    const byOther = signDecision(new Uint8Array(32).fill(3), { ...fields, signerKey: otherKey });
    expect(verifyDecision(byOther, expectation)).toMatchObject({ ok: false });
  });

  it('refuses garbage signatures without throwing', () => {
    const decision = signDecision(callerSeed, fields);
    expect(verifyDecision({ ...decision, signature: toBase64Url(new Uint8Array(64)) }, expectation)).toMatchObject({ ok: false });
    expect(verifyDecision({ ...decision, signature: '!!' }, expectation)).toMatchObject({ ok: false, reason: /base64url/ });
    expect(verifyDecision({ ...decision, signature: toBase64Url(new Uint8Array(3)) }, expectation)).toMatchObject({ ok: false });
  });

  it('a decision signed with a signerKey that is not its own does not verify, under either key', () => {
    const mislabelled = signDecision(callerSeed, { ...fields, signerKey: calleeKey, peerKey: callerKey });
    expect(verifyDecision(mislabelled, expectation)).toMatchObject({ ok: false, reason: /does not match/ });
    expect(verifyDecision(mislabelled, { ...expectation, signerKey: calleeKey, peerKey: callerKey })).toMatchObject({ ok: false, reason: /does not match/ });
  });
});
