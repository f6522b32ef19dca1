// The call handshake's workload, the same in Node (the desktop app's main process) and in Chromium
// (the web client's host): one handshake at a time between a caller and a callee, each side's
// steps timed on their own, hybrid and classical Noise XX interleaved round by round so a noisy
// neighbour hits both alike. Both run the same prologue, static keys and frame-key derivation as
// CallHandshake; only the Noise pattern differs.
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HandshakeState } from '../../src/shared/e2ee/noise';
import { securityCode } from '../../src/shared/e2ee/securityCode';
import { utf8ToBytes } from '../../src/shared/encoding';

export const HANDSHAKE_PROTOCOLS = {
  hybrid: 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256',
  classical: 'Noise_XX_25519_AESGCM_SHA256',
} as const;
export type HandshakeKind = keyof typeof HANDSHAKE_PROTOCOLS;

export interface HandshakeSample {
  /** Milliseconds the caller spent on its steps (write 1, read 2, write 3, keys and code). */
  callerMs: number;
  /** Milliseconds the callee spent on its steps (read 1, write 2, read 3, keys and code). */
  calleeMs: number;
  /** Bytes of the three handshake messages. */
  messageBytes: [number, number, number];
}

export type HandshakeSamples = Record<HandshakeKind, HandshakeSample[]>;

const callerSeed = new Uint8Array(32).fill(1);
const calleeSeed = new Uint8Array(32).fill(2);
const prologue = new Uint8Array(300).fill(7);

/** What CallHandshake does at the end: both frame base keys and the security code. */
function finish(state: HandshakeState): void {
  const hash = state.handshakeHash();
  const keys = state.splitKeys();
  hkdf(sha256, keys.initiatorToResponder, hash, utf8ToBytes('caller->callee'), 16);
  hkdf(sha256, keys.responderToInitiator, hash, utf8ToBytes('callee->caller'), 16);
  securityCode(hash);
}

/** One whole handshake, each side's share timed with `now`. */
export function oneHandshake(kind: HandshakeKind, now: () => number): HandshakeSample {
  let callerMs = 0;
  let calleeMs = 0;
  const timed = <T>(side: 'caller' | 'callee', step: () => T): T => {
    const start = now();
    const result = step();
    if (side === 'caller') callerMs += now() - start;
    else calleeMs += now() - start;
    return result;
  };
  const protocolName = HANDSHAKE_PROTOCOLS[kind];
  // The static key conversion from the identity key is part of each side's work, as in CallHandshake.
  const caller = timed(
    'caller',
    () => new HandshakeState({ protocolName, initiator: true, prologue, staticSecret: ed25519.utils.toMontgomerySecret(callerSeed) }),
  );
  const callee = timed(
    'callee',
    () => new HandshakeState({ protocolName, initiator: false, prologue, staticSecret: ed25519.utils.toMontgomerySecret(calleeSeed) }),
  );
  const first = timed('caller', () => caller.writeMessage());
  const second = timed('callee', () => {
    callee.readMessage(first);
    return callee.writeMessage();
  });
  const third = timed('caller', () => {
    caller.readMessage(second);
    const message = caller.writeMessage();
    finish(caller);
    return message;
  });
  timed('callee', () => {
    callee.readMessage(third);
    finish(callee);
  });
  return { callerMs, calleeMs, messageBytes: [first.length, second.length, third.length] };
}

/** `rounds` rounds, each one hybrid and one classical handshake (alternating which goes first). */
export function runHandshakes(rounds: number, now: () => number): HandshakeSamples {
  const samples: HandshakeSamples = { hybrid: [], classical: [] };
  for (let i = 0; i < rounds; i++) {
    const order: HandshakeKind[] = i % 2 === 0 ? ['hybrid', 'classical'] : ['classical', 'hybrid'];
    for (const kind of order) samples[kind].push(oneHandshake(kind, now));
  }
  return samples;
}
