import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import noiseVectors from '../crypto/fixtures/noise.json';
import { bytesToHex, concatBytes, hexToBytes } from '../encoding';
import { type CipherState, HandshakeState, NoiseError, noiseProtocol } from './noise';

interface NoiseVector {
  protocol_name: string;
  init_prologue: string;
  init_static: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

const fixed = (hex: string) => () => hexToBytes(hex);

function parties(v: NoiseVector): { initiator: HandshakeState; responder: HandshakeState } {
  return {
    initiator: new HandshakeState({
      protocolName: v.protocol_name,
      initiator: true,
      prologue: hexToBytes(v.init_prologue),
      staticSecret: hexToBytes(v.init_static),
      remoteStatic: v.init_remote_static ? hexToBytes(v.init_remote_static) : undefined,
      generateEphemeral: fixed(v.init_ephemeral),
    }),
    responder: new HandshakeState({
      protocolName: v.protocol_name,
      initiator: false,
      prologue: hexToBytes(v.resp_prologue),
      staticSecret: hexToBytes(v.resp_static),
      generateEphemeral: fixed(v.resp_ephemeral),
    }),
  };
}

function runVector(v: NoiseVector): void {
  const { initiator, responder } = parties(v);
  const handshakeLength = noiseProtocol(v.protocol_name).pattern.messages.length;
  let transport: { initiator: { send: CipherState; receive: CipherState }; responder: { send: CipherState; receive: CipherState } } | null = null;
  v.messages.forEach((message, i) => {
    const fromInitiator = i % 2 === 0;
    const payload = hexToBytes(message.payload);
    if (i < handshakeLength) {
      const [sender, receiver] = fromInitiator ? [initiator, responder] : [responder, initiator];
      const wire = sender.writeMessage(payload);
      expect(bytesToHex(wire), `message ${i}`).toBe(message.ciphertext);
      expect(bytesToHex(receiver.readMessage(wire)), `payload ${i}`).toBe(message.payload);
      return;
    }
    transport ??= { initiator: initiator.split(), responder: responder.split() };
    const [sender, receiver] = fromInitiator ? [transport.initiator, transport.responder] : [transport.responder, transport.initiator];
    const wire = sender.send.encryptWithAd(new Uint8Array(0), payload);
    expect(bytesToHex(wire), `transport message ${i}`).toBe(message.ciphertext);
    expect(bytesToHex(receiver.receive.decryptWithAd(new Uint8Array(0), wire))).toBe(message.payload);
  });
  expect(initiator.complete && responder.complete).toBe(true);
  expect(initiator.handshakeHash()).toEqual(responder.handshakeHash());
  if (v.handshake_hash) expect(bytesToHex(initiator.handshakeHash())).toBe(v.handshake_hash);
  expect(initiator.remoteStaticKey).toEqual(x25519.getPublicKey(hexToBytes(v.resp_static)));
  expect(responder.remoteStaticKey).toEqual(x25519.getPublicKey(hexToBytes(v.init_static)));
}

describe('Noise (cacophony vectors)', () => {
  it('has the vectors this suite expects', () => {
    expect(noiseVectors.vectors).toHaveLength(8);
    expect(noiseVectors.vectors_snow).toHaveLength(8);
  });
  it.each(noiseVectors.vectors as NoiseVector[])('$protocol_name', (v) => runVector(v));
});

describe('Noise (snow vectors)', () => {
  it.each(noiseVectors.vectors_snow as NoiseVector[])('$protocol_name', (v) => runVector(v));
});

describe('HandshakeState', () => {
  const xx = noiseVectors.vectors.find((v) => v.protocol_name === 'Noise_XX_25519_AESGCM_SHA256') as NoiseVector;

  it('refuses protocols it does not implement', () => {
    for (const name of [
      'Noise_NN_25519_AESGCM_SHA256',
      'Noise_XX_448_AESGCM_SHA256',
      'Noise_XX_25519_AESGCM_SHA256_x',
      'Noise_constructor_25519_AESGCM_SHA256',
    ]) {
      expect(() => noiseProtocol(name)).toThrow(/unsupported Noise protocol/);
    }
  });

  it('refuses to run without the keys its pattern needs', () => {
    expect(() => new HandshakeState({ protocolName: xx.protocol_name, initiator: true })).toThrow(/needs this side's static key/);
    expect(() => new HandshakeState({ protocolName: 'Noise_IK_25519_AESGCM_SHA256', initiator: true, staticSecret: hexToBytes(xx.init_static) })).toThrow(
      /responder's static key in advance/,
    );
  });

  it('enforces turn order', () => {
    const { initiator, responder } = parties(xx);
    expect(() => initiator.readMessage(new Uint8Array(32))).toThrow(/this side’s turn/);
    expect(() => responder.writeMessage()).toThrow(/peer’s turn/);
    expect(() => initiator.splitKeys()).toThrow(/not complete/);
  });

  it('fails for good on a tampered message', () => {
    const { initiator, responder } = parties(xx);
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage();
    second[40] = (second[40] as number) ^ 1;
    expect(() => initiator.readMessage(second)).toThrow(NoiseError);
    expect(() => initiator.writeMessage()).toThrow(/already failed/);
  });

  it('fails on a truncated message', () => {
    const { initiator, responder } = parties(xx);
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage();
    expect(() => initiator.readMessage(second.subarray(0, 60))).toThrow(/too short for its static key/);
  });

  it('fails when the prologues differ', () => {
    const { initiator } = parties(xx);
    const responder = new HandshakeState({
      protocolName: xx.protocol_name,
      initiator: false,
      prologue: new Uint8Array(1),
      staticSecret: hexToBytes(xx.resp_static),
    });
    responder.readMessage(initiator.writeMessage());
    expect(() => initiator.readMessage(responder.writeMessage())).toThrow(/did not authenticate/);
  });

  it('refuses a low-order ephemeral key', () => {
    const { responder } = parties(xx);
    responder.readMessage(new Uint8Array(32));
    expect(() => responder.writeMessage()).toThrow(/invalid X25519 public key/);
  });
});

describe('HandshakeState, XXhfs with ML-KEM-768', () => {
  const HFS = 'Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256';
  const xx = noiseVectors.vectors.find((v) => v.protocol_name === 'Noise_XX_25519_AESGCM_SHA256') as NoiseVector;
  const kemSeed = (fill: number) => () => new Uint8Array(64).fill(fill);

  /** The XX vector's keys and ephemerals, with a fixed KEM key pair and encapsulation. */
  function hfsParties(kemFill = 5): { initiator: HandshakeState; responder: HandshakeState } {
    return {
      initiator: new HandshakeState({
        protocolName: HFS,
        initiator: true,
        staticSecret: hexToBytes(xx.init_static),
        generateEphemeral: fixed(xx.init_ephemeral),
        generateKemSeed: kemSeed(kemFill),
      }),
      responder: new HandshakeState({
        protocolName: HFS,
        initiator: false,
        staticSecret: hexToBytes(xx.resp_static),
        generateEphemeral: fixed(xx.resp_ephemeral),
        generateEncapsulationRandomness: () => new Uint8Array(32).fill(6),
      }),
    };
  }

  function complete(initiator: HandshakeState, responder: HandshakeState): Uint8Array[] {
    const first = initiator.writeMessage();
    responder.readMessage(first);
    const second = responder.writeMessage();
    initiator.readMessage(second);
    const third = initiator.writeMessage();
    responder.readMessage(third);
    return [first, second, third];
  }

  it('names the KEM in the DH section, and only for hfs', () => {
    expect(noiseProtocol(HFS).pattern.kem).toBe(true);
    for (const name of ['Noise_XXhfs_25519_AESGCM_SHA256', 'Noise_XX_25519+MLKEM768_AESGCM_SHA256', 'Noise_XXhfs_25519+MLKEM512_AESGCM_SHA256']) {
      expect(() => noiseProtocol(name)).toThrow(/unsupported Noise protocol/);
    }
  });

  it('carries the KEM key in message 1 and its encapsulation, encrypted, in message 2', () => {
    const { initiator, responder } = hfsParties();
    const messages = complete(initiator, responder);
    // e ‖ e1 (in clear: no key yet); e ‖ enc(ekem1) ‖ enc(s) ‖ enc(payload); enc(s) ‖ enc(payload).
    expect(messages.map((m) => m.length)).toEqual([32 + 1184, 32 + 1088 + 16 + 32 + 16 + 16, 32 + 16 + 16]);
    expect(initiator.handshakeHash()).toEqual(responder.handshakeHash());
    const keys = initiator.splitKeys();
    expect(keys).toEqual(responder.splitKeys());
  });

  it('makes every key depend on the KEM: same X25519 keys, another KEM key pair, other keys', () => {
    const one = hfsParties(5);
    const two = hfsParties(8);
    complete(one.initiator, one.responder);
    complete(two.initiator, two.responder);
    expect(bytesToHex(one.initiator.handshakeHash())).not.toBe(bytesToHex(two.initiator.handshakeHash()));
    expect(one.initiator.splitKeys().initiatorToResponder).not.toEqual(two.initiator.splitKeys().initiatorToResponder);
  });

  it('differs from the classical XX transcript with the same X25519 keys', () => {
    const { initiator, responder } = hfsParties();
    complete(initiator, responder);
    const classical = parties({ ...xx, init_prologue: '', resp_prologue: '' });
    complete(classical.initiator, classical.responder);
    expect(bytesToHex(initiator.handshakeHash())).not.toBe(bytesToHex(classical.initiator.handshakeHash()));
  });

  it('fails at message 2 when the KEM key in message 1 was replaced', () => {
    const { initiator, responder } = hfsParties();
    const first = initiator.writeMessage();
    const replaced = first.slice();
    replaced.set(ml_kem768.keygen(new Uint8Array(64).fill(9)).publicKey, 32);
    responder.readMessage(replaced);
    expect(() => initiator.readMessage(responder.writeMessage())).toThrow(/did not authenticate/);
  });

  it('fails at message 2 when the KEM ciphertext was altered', () => {
    const { initiator, responder } = hfsParties();
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage();
    second[32 + 500] = (second[32 + 500] as number) ^ 1;
    expect(() => initiator.readMessage(second)).toThrow(/did not authenticate/);
  });

  it('fails on a message 1 whose KEM key was stripped', () => {
    const { initiator, responder } = hfsParties();
    expect(() => responder.readMessage(initiator.writeMessage().subarray(0, 32))).toThrow(/too short for its KEM public key/);
    expect(() => responder.writeMessage()).toThrow(/already failed/);
  });

  it('fails on a message 2 whose KEM ciphertext was stripped', () => {
    const { initiator, responder } = hfsParties();
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage();
    const stripped = concatBytes(second.subarray(0, 32), second.subarray(32 + 1088 + 16));
    expect(() => initiator.readMessage(stripped)).toThrow(/too short for its KEM ciphertext/);
  });

  it('refuses a malformed KEM public key (coefficients not reduced mod q)', () => {
    const { initiator, responder } = hfsParties();
    const first = initiator.writeMessage();
    first.fill(0xff, 32, 32 + 384);
    responder.readMessage(first);
    expect(() => responder.writeMessage()).toThrow(/invalid ML-KEM-768 public key/);
  });

  it('keeps the classical handshake unable to read a hybrid message 1', () => {
    const { initiator } = hfsParties();
    const classical = parties({ ...xx, init_prologue: '', resp_prologue: '' }).responder;
    // XX reads e and an unencrypted payload: it accepts the bytes, but its transcript differs
    // from the initiator's, so its message 2 cannot authenticate there.
    classical.readMessage(initiator.writeMessage());
    expect(() => initiator.readMessage(classical.writeMessage())).toThrow(/too short for its KEM ciphertext|did not authenticate/);
  });
});
