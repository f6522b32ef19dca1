// A tampering relay between the clients and the server (an attacker on the path, or a server that
// turned hostile) tries to downgrade or intercept end-to-end encrypted calls. Every attempt must be
// caught: the call is not shown as verified, the security codes differ or the handshake fails, and
// the users are told.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keySwappingMitm } from './app/keySwappingMitm';
import { startTestServer, type TestServer } from './app/server';
import { startTamperingRelay, type TamperingRelay } from './app/tamperingRelay';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';
import type { ClientMessage, ServerMessage } from '../src/shared/protocol';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`E2EE tampering e2e tests skipped: ${skipReason}`);

const E2EE_FAILED = /end-to-end encryption could not be established/;

/** Flips one bit in a base64url payload's decoded bytes. */
function corrupt(payload: string): string {
  const bytes = Buffer.from(payload, 'base64url');
  bytes[bytes.length - 1]! ^= 0x01;
  return bytes.toString('base64url');
}

/** The first `length` bytes of a base64url payload. */
function firstBytes(payload: string, length: number): string {
  return Buffer.from(payload, 'base64url').subarray(0, length).toString('base64url');
}

/** A first handshake message (X25519 key, then ML-KEM-768 key) with another ML-KEM key in it. */
function withKemKey(payload: string, kemKey: Uint8Array): string {
  const bytes = Buffer.from(payload, 'base64url');
  bytes.set(kemKey, 32);
  return bytes.toString('base64url');
}

describe('a tampering relay between the clients and the server', () => {
  let server: TestServer;
  let relay: TamperingRelay;
  let alice: AppUser;
  let bob: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    relay = await startTamperingRelay(server.url);
  });

  afterAll(async () => {
    await relay?.close();
    await server?.close();
  });

  beforeEach(async (context) => {
    if (skipReason) context.skip(skipReason);
    relay.setTampering({});
    // Fresh users for every attack: nobody has pinned anybody's key yet.
    const n = context.task.id.replace(/\W/g, '').slice(-6).toLowerCase();
    [alice, bob] = await Promise.all([AppUser.open(relay.url, `alice${n}`), AppUser.open(relay.url, `bob${n}`)]);
  });

  afterEach(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
  });

  async function dialAndAccept(): Promise<void> {
    await alice.dial(bob.handle);
    await bob.incomingFrom(alice.handle).waitFor();
    await bob.accept();
  }

  it('rewriting the caller’s E2EE flag on its way to the callee fails the handshake, and both are told', async () => {
    relay.setTampering({
      fromServer(link, message: ServerMessage) {
        if (message.type === 'call.incoming') return link.toClient({ ...message, decision: { ...message.decision, e2ee: false } });
        link.toClient(message);
      },
    });
    await dialAndAccept();
    expect(await bob.endReason()).toMatch(E2EE_FAILED);
    expect(await alice.endReason()).toMatch(E2EE_FAILED);
  });

  it('rewriting the callee’s E2EE flag in its answer is caught by the caller', async () => {
    relay.setTampering({
      fromClient(link, message: ClientMessage) {
        if (message.type === 'call.accept') return link.toServer({ ...message, decision: { ...message.decision, e2ee: false } });
        link.toServer(message);
      },
    });
    await dialAndAccept();
    expect(await alice.endReason()).toMatch(E2EE_FAILED);
    expect(await bob.endReason()).toMatch(E2EE_FAILED);
  });

  it('a server that sets up a plain room although both signed E2EE on is caught by both', async () => {
    relay.setTampering({
      fromServer(link, message: ServerMessage) {
        if (message.type === 'call.accepted') return link.toClient({ ...message, roomE2ee: false });
        link.toClient(message);
      },
    });
    await dialAndAccept();
    const [aliceReason, bobReason] = await Promise.all([alice.endReason(), bob.endReason()]);
    expect(aliceReason).toMatch(E2EE_FAILED);
    expect(aliceReason).toContain('without end-to-end encryption');
    expect(bobReason).toMatch(E2EE_FAILED);
  });

  it('a corrupted handshake message fails the handshake, and both are told', async () => {
    relay.setTampering({
      fromClient(link, message: ClientMessage) {
        if (message.type === 'e2ee.handshake' && message.seq === 1) return link.toServer({ ...message, payload: corrupt(message.payload) });
        link.toServer(message);
      },
    });
    await dialAndAccept();
    expect(await alice.endReason()).toMatch(E2EE_FAILED);
    expect(await bob.endReason()).toMatch(E2EE_FAILED);
  });

  it('stripping the post-quantum KEM key from the first handshake message fails the handshake, and both are told why', async () => {
    relay.setTampering({
      fromClient(link, message: ClientMessage) {
        // What a classical (X25519-only) first message would be: the ephemeral key alone.
        if (message.type === 'e2ee.handshake' && message.seq === 0) return link.toServer({ ...message, payload: firstBytes(message.payload, 32) });
        link.toServer(message);
      },
    });
    await dialAndAccept();
    const [aliceReason, bobReason] = await Promise.all([alice.endReason(), bob.endReason()]);
    expect(bobReason).toMatch(E2EE_FAILED);
    expect(bobReason).toContain('post-quantum (ML-KEM-768) part was stripped');
    expect(aliceReason).toMatch(E2EE_FAILED);
  });

  it('replacing the caller’s post-quantum KEM key with the relay’s own fails the handshake, and both are told', async () => {
    relay.setTampering({
      fromClient(link, message: ClientMessage) {
        if (message.type === 'e2ee.handshake' && message.seq === 0)
          return link.toServer({ ...message, payload: withKemKey(message.payload, ml_kem768.keygen().publicKey) });
        link.toServer(message);
      },
    });
    await dialAndAccept();
    const [aliceReason, bobReason] = await Promise.all([alice.endReason(), bob.endReason()]);
    expect(aliceReason).toMatch(E2EE_FAILED);
    expect(aliceReason).toContain('post-quantum key exchange was altered');
    expect(bobReason).toMatch(E2EE_FAILED);
  });

  it('rewriting the handshake suite in a signed decision to the classical one fails, and both are told', async () => {
    relay.setTampering({
      fromServer(link, message: ServerMessage) {
        if (message.type === 'call.incoming')
          return link.toClient({ ...message, decision: { ...message.decision, handshake: 'Noise_XX_25519_AESGCM_SHA256' } });
        link.toClient(message);
      },
    });
    await dialAndAccept();
    const [aliceReason, bobReason] = await Promise.all([alice.endReason(), bob.endReason()]);
    expect(bobReason).toMatch(E2EE_FAILED);
    expect(bobReason).toContain('could not be verified');
    expect(aliceReason).toMatch(E2EE_FAILED);
  });

  it('swapping the identity keys and running a handshake with each side: the codes differ, nobody is verified, both are warned', async () => {
    const mitm = keySwappingMitm();
    relay.setTampering(mitm);
    await dialAndAccept();
    const [aliceCode, bobCode] = await Promise.all([alice.securityCode(), bob.securityCode()]);
    expect(aliceCode).toMatch(/^\d{20}$/);
    expect(bobCode).toMatch(/^\d{20}$/);
    expect(aliceCode).not.toBe(bobCode);
    for (const user of [alice, bob]) {
      const panel = (await user.page.getByLabel('Encryption', { exact: true }).textContent()) ?? '';
      expect(panel).not.toContain('You verified');
      await user.page.getByRole('alert').filter({ hasText: 'cannot be decrypted with this call’s keys' }).waitFor({ timeout: 15_000 });
    }
    await alice.hangUp();
    await Promise.all([alice.endReason(), bob.endReason()]);
  });

  it('once keys are pinned by an honest call, the same attack raises a key-change warning before and during the call', async () => {
    await dialAndAccept();
    const honest = await alice.securityCode();
    expect(await bob.securityCode()).toBe(honest);
    await alice.hangUp();
    await Promise.all([alice.endReason(), bob.endReason()]);
    await Promise.all([alice.dismissEnded(), bob.dismissEnded()]);

    relay.setTampering(keySwappingMitm());
    await alice.dial(bob.handle);
    await alice.page.getByRole('heading', { name: 'Security key changed' }).waitFor();
    await alice.page.getByRole('button', { name: 'Call anyway' }).click();
    await bob.incomingFrom(alice.handle).waitFor();
    await bob.page.getByRole('alert').filter({ hasText: 'security key has changed' }).waitFor();
    await bob.accept();
    const [aliceCode, bobCode] = await Promise.all([alice.securityCode(), bob.securityCode()]);
    expect(aliceCode).not.toBe(bobCode);
    for (const user of [alice, bob]) {
      await user.page.getByRole('alert').filter({ hasText: 'security key has changed' }).waitFor();
    }
  });
});
