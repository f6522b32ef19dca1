// The phone rings only for real calls. A relay between the clients and the real server (an
// attacker on the path, or a server that turned hostile) keeps the invite of a call and sends it
// again after the call ended; rewrites the caller's signed decision on its way; or swallows the end
// of a ring so that the callee's screen rings for a call the server no longer knows. The callee's
// app must not ring for the replay, must warn of the rewrite while it rings, and must not let the
// stale ring turn a real call away.
import type { ConsoleMessage } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { startTamperingRelay, type RelayLink, type TamperingRelay } from './app/tamperingRelay';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';
import type { ServerMessage } from '../src/shared/protocol';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`Invite freshness e2e tests skipped: ${skipReason}`);

type Invite = Extract<ServerMessage, { type: 'call.incoming' }>;

/** How long a screen is watched for a ring that must not come. */
const NO_RING_MS = 3000;

describe('the phone rings only for real calls', () => {
  let server: TestServer;
  let relay: TamperingRelay;
  let alice: AppUser;
  let bob: AppUser;
  /** What bob's app logged as warnings (where it says why an invite did not ring). */
  let bobWarnings: string[];

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
    const n = context.task.id.replace(/\W/g, '').slice(-6).toLowerCase();
    [alice, bob] = await Promise.all([AppUser.open(relay.url, `alice${n}`), AppUser.open(relay.url, `bob${n}`)]);
    bobWarnings = [];
    bob.page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'warning') bobWarnings.push(message.text());
    });
  });

  afterEach(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
  });

  /** Keeps every invite the server sends bob, with the link it went down. */
  function captureInvites(): { invites: Invite[]; latestLink: () => RelayLink } {
    const invites: Invite[] = [];
    let link: RelayLink | null = null;
    relay.setTampering({
      fromServer(from, message) {
        if (from.handle === bob.handle) link = from;
        if (message.type === 'call.incoming' && from.handle === bob.handle) invites.push(message);
        from.toClient(message);
      },
    });
    return {
      invites,
      latestLink: () => {
        if (!link) throw new Error('bob has no link through the relay');
        return link;
      },
    };
  }

  /** Watches bob's screen for NO_RING_MS: it must not ring. */
  async function expectNoRing(): Promise<void> {
    const ring = bob.incomingFrom(alice.handle);
    const until = Date.now() + NO_RING_MS;
    while (Date.now() < until) {
      expect(await ring.isVisible()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('an invite replayed after its call ended does not ring, and not after a reload either', async () => {
    const capture = captureInvites();
    await alice.dial(bob.handle);
    await bob.incomingFrom(alice.handle).waitFor();
    await bob.decline();
    await Promise.all([alice.endReason(), bob.endReason()]);
    await Promise.all([alice.dismissEnded(), bob.dismissEnded()]);
    expect(capture.invites).toHaveLength(1);
    const [invite] = capture.invites as [Invite];

    // The same bytes again, to the same app: it sees them and refuses them.
    capture.latestLink().toClient(invite);
    await expect.poll(() => bobWarnings.some((text) => text.includes('did not ring') && text.includes('already rung'))).toBe(true);
    await expectNoRing();

    // A fresh start of the app forgets what it kept in memory; the call history still knows the call.
    bobWarnings = [];
    await bob.page.reload();
    await bob.connection.filter({ hasText: `Connected as ${bob.handle}` }).waitFor();
    capture.latestLink().toClient(invite);
    await expect.poll(() => bobWarnings.some((text) => text.includes('did not ring') && text.includes('already rung'))).toBe(true);
    await expectNoRing();

    // Alice is idle all along, and a real call still rings.
    await alice.dial(bob.handle);
    await bob.incomingFrom(alice.handle).waitFor();
    await bob.decline();
    await Promise.all([alice.endReason(), bob.endReason()]);
  });

  it('a rewritten decision in the invite is warned of on the ringing screen, before Accept', async () => {
    relay.setTampering({
      fromServer(link, message) {
        if (message.type === 'call.incoming') return link.toClient({ ...message, decision: { ...message.decision, e2ee: false } });
        link.toClient(message);
      },
    });
    await alice.dial(bob.handle);
    await bob.incomingFrom(alice.handle).waitFor();
    const warning = bob.page.getByRole('alert').filter({ hasText: `This call could not be verified as coming from ${alice.handle}` });
    await warning.waitFor({ timeout: 5000 });
    expect(await warning.textContent()).toContain('the decision signature does not match this call');
    await bob.decline();
    await Promise.all([alice.endReason(), bob.endReason()]);
  });

  it('a ring the server no longer knows does not turn the caller’s next, real call away as busy', async () => {
    // The relay swallows the end of bob's first ring: his screen rings on for a call that is over.
    let firstCall: string | null = null;
    relay.setTampering({
      fromServer(link, message) {
        if (message.type === 'call.incoming' && firstCall === null) firstCall = message.callId;
        if (message.type === 'call.ended' && message.callId === firstCall && link.handle === bob.handle) return;
        link.toClient(message);
      },
    });
    // The first call is a video call and the second is not, so that bob's screen tells them apart.
    const withVideo = alice.page.getByRole('checkbox', { name: 'With video' });
    const videoRing = bob.page.getByRole('heading', { name: `Incoming video call from ${alice.handle}`, exact: true });
    const audioRing = bob.page.getByRole('heading', { name: `Incoming call from ${alice.handle}`, exact: true });
    await withVideo.setChecked(true);
    await alice.dial(bob.handle);
    await videoRing.waitFor();
    await alice.hangUp();
    await alice.endReason();
    await alice.dismissEnded();
    expect(firstCall).not.toBeNull();
    expect(await videoRing.isVisible()).toBe(true);

    // Alice calls again: the server sees bob free and rings him; his app takes the real call.
    await withVideo.setChecked(false);
    await alice.dial(bob.handle);
    await audioRing.waitFor();
    await bob.accept();
    await Promise.all([alice.callTimer.waitFor({ timeout: 20_000 }), bob.callTimer.waitFor({ timeout: 20_000 })]);
    await alice.hangUp();
    await Promise.all([alice.endReason(), bob.endReason()]);
  });
});
