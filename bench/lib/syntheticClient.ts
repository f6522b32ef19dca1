// Synthetic users for the server benchmark: the real protocol through the shared SignalingClient
// over `ws`, with real Ed25519 identities. Signing uses node:crypto (OpenSSL), so the load generator
// spends little CPU where the server spends its own: the server verifies with @noble as always.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { WebSocket } from 'ws';
import { decisionBytes } from '../../src/shared/e2ee/decision';
import { CALL_HANDSHAKE_SUITE } from '../../src/shared/e2ee/handshake';
import { fromBase64Url, toBase64Url } from '../../src/shared/encoding';
import type { E2eeDecision, ServerMessage } from '../../src/shared/protocol';
import { loginChallengeBytes } from '../../src/shared/protocol';
import { SignalingClient, type WebSocketLike } from '../../src/shared/signalingClient';

export class SyntheticUser {
  readonly publicKey: string;
  private readonly privateKey: KeyObject;
  client: SignalingClient | null = null;

  constructor(readonly handle: string) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    // The JWK form of an Ed25519 public key is its 32 raw bytes in base64url.
    this.publicKey = publicKey.export({ format: 'jwk' }).x!;
    this.privateKey = privateKey;
  }

  /** Connects from `localAddress` (a loopback address: each has its own ephemeral ports) and logs in or registers. */
  async connect(url: string, localAddress: string, register: boolean): Promise<void> {
    const socket = new WebSocket(url, { localAddress, perMessageDeflate: false });
    const client = new SignalingClient(socket as unknown as WebSocketLike, { requestTimeoutMs: 60_000 });
    const identity = {
      publicKey: this.publicKey,
      signLogin: ({ nonce, origin }: { nonce: string; origin: string }) => toBase64Url(sign(null, loginChallengeBytes(origin, nonce), this.privateKey)),
    };
    await client.login(identity, register ? { handle: this.handle } : undefined);
    this.client = client;
  }

  /** This side's signed E2EE decision for a call. */
  decision(callId: string, role: 'caller' | 'callee', peer: SyntheticUser, e2ee: boolean): E2eeDecision {
    const fields = {
      callId,
      role,
      e2ee,
      signerKey: fromBase64Url(this.publicKey),
      peerKey: fromBase64Url(peer.publicKey),
      handshake: CALL_HANDSHAKE_SUITE,
      issuedAt: Date.now(),
    };
    return {
      e2ee,
      role,
      handshake: CALL_HANDSHAKE_SUITE,
      issuedAt: fields.issuedAt,
      signature: toBase64Url(sign(null, decisionBytes(fields), this.privateKey)),
    };
  }

  /** Resolves with the first message that `match` accepts. */
  next<T extends ServerMessage>(match: (message: ServerMessage) => message is T): Promise<T> {
    return new Promise((resolve) => {
      const stop = this.client!.onMessage((message) => {
        if (!match(message)) return;
        stop();
        resolve(message);
      });
    });
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }
}

export const newCallId = (): string => toBase64Url(randomBytes(16));
