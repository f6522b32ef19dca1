// The end-to-end handshake of one call: Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256 between caller
// (initiator) and callee (responder), relayed unread by the server. It is Noise XX with an
// ML-KEM-768 exchange mixed in (see noise.ts): the frame keys and the security code come from a
// transcript that an attacker must break both X25519 and ML-KEM-768 to recover.
//
// - Static keys are the X25519 forms of the Ed25519 identity keys, and the static key the peer
//   sends must be the X25519 form of the identity key this side expects, so the handshake
//   authenticates exactly the identities the decisions were signed with.
// - The prologue binds "softphone/e2ee/v2", the call id, both identity keys (caller's first), the
//   handshake suite each decision names and both signed decisions: two sides that disagree on any
//   of them fail at the second message. Each decision's signature covers its suite too, so no
//   relay can talk a side into a handshake without the KEM.
// - Frame base keys: HKDF-SHA256(ikm = Split() key of that direction, salt = handshake hash,
//   info = "softphone/e2ee/v2 frame base key caller->callee" or "... callee->caller", 16 bytes).
// - Payloads are empty, so each message has one valid length (1216, 1200 and 64 bytes).
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { identityKeyProblem } from '../crypto/identityKey';
import { equalBytes, fromBase64Url, utf8ToBytes } from '../encoding';
import type { CallRole, E2eeDecision } from '../protocol';
import { encodeFields } from './fields';
import { HandshakeState, NoiseError } from './noise';
import { securityCode } from './securityCode';

export const CALL_NOISE_PROTOCOL = 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256';
/** What each side's signed E2EE decision names as its handshake: the one suite this version runs. */
export const CALL_HANDSHAKE_SUITE = CALL_NOISE_PROTOCOL;
export const PROLOGUE_DOMAIN = 'softphone/e2ee/v2';
/** Base key length for the frame cipher suite AES_128_GCM_SHA256_128. */
export const FRAME_BASE_KEY_LENGTH = 16;
const CALLER_TO_CALLEE_LABEL = 'softphone/e2ee/v2 frame base key caller->callee';
const CALLEE_TO_CALLER_LABEL = 'softphone/e2ee/v2 frame base key callee->caller';
/**
 * Lengths of XXhfs messages 1–3 with empty payloads: e ‖ e1 (32 + 1184); e ‖ ekem1 ‖ s ‖ payload
 * tag (32 + 1088+16 + 32+16 + 16); s ‖ payload tag (32+16 + 16).
 */
const MESSAGE_LENGTHS = [1216, 1200, 64] as const;
/** What a message of each number has lost when it is as short as the classical XX one. */
const CLASSICAL_LENGTHS = [32, 96, 64] as const;

/** Why the handshake failed, in words fit for a log or a status line (never key material). */
export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandshakeError';
  }
}

export interface HandshakeResult {
  /** 20 digits, equal on both ends unless someone is in the middle. */
  securityCode: string;
  sendBaseKey: Uint8Array<ArrayBuffer>;
  receiveBaseKey: Uint8Array<ArrayBuffer>;
  /** The Noise handshake hash. */
  transcriptHash: Uint8Array;
}

export interface CallHandshakeOptions {
  callId: string;
  role: CallRole;
  /** This side's Ed25519 secret key; or, for a host that keeps no seed, `staticSecret` instead. */
  identitySeed?: Uint8Array;
  /** The X25519 form of this side's identity secret key (what `identitySeed` gives); copied, not kept. */
  staticSecret?: Uint8Array;
  /**
   * This side's Ed25519 public key, the public key of identitySeed. It is not re-derived here: a
   * wrong one changes the prologue, and the handshake fails at its second message.
   */
  localKey: Uint8Array;
  /** The peer's Ed25519 public key, as pinned or checked for this call. */
  peerKey: Uint8Array;
  callerDecision: E2eeDecision;
  calleeDecision: E2eeDecision;
  /** Makes ephemeral X25519 secret keys; random by default. */
  generateEphemeral?: () => Uint8Array;
  /** Makes the caller's 64-byte ML-KEM-768 key seed; random by default. */
  generateKemSeed?: () => Uint8Array;
  /** Makes the callee's 32 bytes of encapsulation randomness; random by default. */
  generateEncapsulationRandomness?: () => Uint8Array;
}

export interface HandshakeStep {
  reply: Uint8Array | null;
  result: HandshakeResult | null;
}

/** The prologue both sides mix in before the first message. */
export function callPrologue(
  options: Pick<CallHandshakeOptions, 'callId' | 'role' | 'localKey' | 'peerKey' | 'callerDecision' | 'calleeDecision'>,
): Uint8Array {
  const [callerKey, calleeKey] = options.role === 'caller' ? [options.localKey, options.peerKey] : [options.peerKey, options.localKey];
  return encodeFields(PROLOGUE_DOMAIN, [
    utf8ToBytes(options.callId),
    callerKey,
    calleeKey,
    utf8ToBytes(options.callerDecision.handshake),
    utf8ToBytes(options.calleeDecision.handshake),
    fromBase64Url(options.callerDecision.signature),
    fromBase64Url(options.calleeDecision.signature),
  ]);
}

export class CallHandshake {
  private readonly role: CallRole;
  private readonly state: HandshakeState;
  private readonly expectedRemoteStatic: Uint8Array;
  /** Index of the next message in the handshake (0–2), 3 when done. */
  private next = 0;
  private failed = false;

  constructor(options: CallHandshakeOptions) {
    if (options.localKey.length !== 32) throw new Error('identity keys are 32 bytes');
    const peerKeyProblem = identityKeyProblem(options.peerKey);
    if (peerKeyProblem) throw new HandshakeError(`the peer's key is refused: ${peerKeyProblem}`);
    for (const decision of [options.callerDecision, options.calleeDecision]) {
      if (decision.handshake !== CALL_HANDSHAKE_SUITE) {
        throw new HandshakeError(`the ${decision.role}'s decision names the handshake ${decision.handshake}, but this app runs only ${CALL_HANDSHAKE_SUITE}`);
      }
    }
    this.role = options.role;
    this.expectedRemoteStatic = ed25519.utils.toMontgomery(options.peerKey);
    const staticSecret = options.staticSecret?.slice() ?? (options.identitySeed ? ed25519.utils.toMontgomerySecret(options.identitySeed) : null);
    if (staticSecret?.length !== 32) throw new Error('the handshake needs this side’s 32-byte identity secret');
    this.state = new HandshakeState({
      protocolName: CALL_NOISE_PROTOCOL,
      initiator: options.role === 'caller',
      prologue: callPrologue(options),
      staticSecret,
      generateEphemeral: options.generateEphemeral,
      generateKemSeed: options.generateKemSeed,
      generateEncapsulationRandomness: options.generateEncapsulationRandomness,
    });
    staticSecret.fill(0);
  }

  /** The caller's first message; null for the callee, who waits for it. */
  start(): Uint8Array | null {
    if (this.role === 'callee') return null;
    if (this.next !== 0 || this.failed) throw new HandshakeError('the handshake was already started');
    return this.write();
  }

  /** Takes the peer's next message; returns the reply to send and, at the end, the result. */
  receive(message: Uint8Array): HandshakeStep {
    if (this.failed) throw new HandshakeError('the handshake already failed');
    const expectedIndex = this.role === 'caller' ? [1] : [0, 2];
    if (!expectedIndex.includes(this.next)) {
      throw this.fail(this.next >= MESSAGE_LENGTHS.length ? 'the handshake is already complete' : 'handshake message arrived out of order');
    }
    const number = this.next + 1;
    const expectedLength = MESSAGE_LENGTHS[this.next] as number;
    if (message.length !== expectedLength) {
      const stripped = message.length === CLASSICAL_LENGTHS[this.next] ? ': its post-quantum (ML-KEM-768) part was stripped' : '';
      throw this.fail(`handshake message ${number} must be ${expectedLength} bytes, not ${message.length}${stripped}`);
    }
    try {
      this.state.readMessage(message);
    } catch (error) {
      throw this.fail(describeNoiseError(error, number));
    }
    this.next++;
    if (number >= 2 && !equalBytes(this.state.remoteStaticKey ?? new Uint8Array(0), this.expectedRemoteStatic)) {
      throw this.fail('the peer authenticated with a key that is not its identity key');
    }
    const reply = this.state.complete ? null : this.write();
    return { reply, result: this.state.complete ? this.finish() : null };
  }

  /** Zeroes the handshake's secrets; the handshake cannot continue afterwards. */
  wipe(): void {
    this.failed = true;
    this.state.wipe();
  }

  private write(): Uint8Array {
    try {
      const message = this.state.writeMessage();
      this.next++;
      return message;
    } catch (error) {
      // A bad key in the peer's message shows only when this side uses it to write its reply.
      const blamed = error instanceof NoiseError && error.kind === 'invalid-key' ? this.next : this.next + 1;
      throw this.fail(describeNoiseError(error, blamed));
    }
  }

  private finish(): HandshakeResult {
    const transcriptHash = this.state.handshakeHash();
    const keys = this.state.splitKeys();
    this.state.wipe();
    const callerToCallee = hkdf(sha256, keys.initiatorToResponder, transcriptHash, utf8ToBytes(CALLER_TO_CALLEE_LABEL), FRAME_BASE_KEY_LENGTH);
    const calleeToCaller = hkdf(sha256, keys.responderToInitiator, transcriptHash, utf8ToBytes(CALLEE_TO_CALLER_LABEL), FRAME_BASE_KEY_LENGTH);
    keys.initiatorToResponder.fill(0);
    keys.responderToInitiator.fill(0);
    const caller = this.role === 'caller';
    return {
      securityCode: securityCode(transcriptHash),
      sendBaseKey: caller ? callerToCallee : calleeToCaller,
      receiveBaseKey: caller ? calleeToCaller : callerToCallee,
      transcriptHash,
    };
  }

  private fail(message: string): HandshakeError {
    this.wipe();
    return new HandshakeError(message);
  }
}

function describeNoiseError(error: unknown, messageNumber: number): string {
  if (!(error instanceof NoiseError)) return `handshake message ${messageNumber} could not be processed`;
  switch (error.kind) {
    case 'decrypt':
      return `handshake message ${messageNumber} did not authenticate: it or its post-quantum key exchange was altered, or the two sides disagree on the call, its decisions or their keys`;
    case 'invalid-key':
      return `handshake message ${messageNumber} carries an invalid ${error.message.includes('ML-KEM') ? 'ML-KEM-768' : 'X25519'} public key`;
    case 'length':
      return `handshake message ${messageNumber} has the wrong length`;
    case 'state':
      return `handshake message ${messageNumber} arrived out of order`;
  }
}
