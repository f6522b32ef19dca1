// One-to-one calls end to end: real Chromium users driving the web client through the real
// signaling server and the testbed's Janus. Every way a call can end is tried, and both sides
// must be told why. Run: npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/calls.e2e.test.ts
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { testbedJanus } from './support/janus';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`call e2e tests skipped: ${skipReason}`);

describe('one-to-one calls through the server and Janus', () => {
  let server: TestServer;
  let alice: AppUser;
  let bob: AppUser;
  let carol: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed, ringTimeoutSeconds: 6, reconnectGraceSeconds: 3 });
    [alice, bob, carol] = await Promise.all([AppUser.open(server.url, 'alice'), AppUser.open(server.url, 'bob'), AppUser.open(server.url, 'carol')]);
  });

  afterAll(async () => {
    await Promise.all([alice, bob, carol].filter(Boolean).map((user) => user.close()));
    await server?.close();
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  afterEach(async () => {
    if (skipReason) return;
    for (const user of [alice, bob, carol]) await user.dismissEnded();
  });

  it('rings, connects, carries audio both ways, and tells both sides who hung up', async () => {
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await alice.callStatus.filter({ hasText: 'Ringing…' }).waitFor();
    await bob.accept();
    await alice.callTimer.waitFor({ timeout: 20_000 });
    await bob.callTimer.waitFor({ timeout: 20_000 });

    const [aliceHears, bobHears] = await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);
    expect(aliceHears.samples).toBeGreaterThan(16_000);
    expect(bobHears.samples).toBeGreaterThan(16_000);

    await bob.hangUp();
    expect(await bob.endReason()).toBe('You hung up.');
    expect(await alice.endReason()).toBe('bob hung up.');
    expect(await alice.openPeerConnections()).toBe(0);
    expect(await bob.openPeerConnections()).toBe(0);
  });

  it('tells the caller the call was declined', async () => {
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await bob.decline();
    expect(await alice.endReason()).toBe('bob declined the call.');
    expect(await bob.endReason()).toBe('You declined the call.');
  });

  it('shows a cancelled call to the callee as missed', async () => {
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await alice.hangUp();
    expect(await alice.endReason()).toBe('You cancelled the call.');
    expect(await bob.endReason()).toBe('Missed call from alice.');
  });

  it('answers busy when the callee is in another call', async () => {
    await alice.dial('bob');
    await bob.incomingFrom('alice').waitFor();
    await bob.accept();
    await bob.callTimer.waitFor({ timeout: 20_000 });
    await carol.dial('bob');
    expect(await carol.endReason()).toBe('bob is busy in another call.');
    await alice.hangUp();
    await bob.endReason();
  });

  it('ends an unanswered call with no-answer on both sides', async () => {
    await carol.dial('alice');
    await alice.incomingFrom('carol').waitFor();
    expect(await carol.endReason()).toBe('alice did not answer.');
    expect(await alice.endReason()).toBe('Missed call from carol.');
  });

  it('says when the callee does not exist', async () => {
    await alice.dial('nobody-here');
    await expect.poll(() => alice.page.getByRole('alert').textContent()).toBe('No one is registered as “nobody-here”.');
  });

  it('ends the call with a reason when a party disconnects mid-call, and says when someone is offline', async () => {
    const dave = await AppUser.open(server.url, 'dave');
    await dave.dial('alice');
    await alice.incomingFrom('dave').waitFor();
    await alice.accept();
    await alice.callTimer.waitFor({ timeout: 20_000 });
    await dave.close();
    expect(await alice.endReason()).toBe('The call ended: dave’s connection was lost.');
    await alice.dismissEnded();
    await alice.dial('dave');
    expect(await alice.endReason()).toBe('dave is offline.');
  });
});
