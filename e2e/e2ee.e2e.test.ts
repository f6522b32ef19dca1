// End-to-end encryption as users see it: two real Chromium users, the real server and Janus, driven
// through the UI. E2EE is on exactly when both have it on; otherwise each side is told why. In an
// E2EE call both see the same 20-digit security code, hear each other, and the frame counters move.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { AppUser, callAndAnswer, hangUpAndDismiss } from './app/user';
import { testbedJanus } from './support/janus';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`E2EE e2e tests skipped: ${skipReason}`);

/** The text of the encryption panel of a user's call view. */
async function encryptionText(user: AppUser): Promise<string> {
  const panel = user.page.getByLabel('Encryption', { exact: true });
  await expect.poll(async () => (await panel.textContent()) ?? '', { timeout: 20_000 }).toMatch(/Not end-to-end encrypted|End-to-end encrypted|failed/);
  return (await panel.textContent()) ?? '';
}

/** A figure from the call-details panel, by its accessible name. */
async function detail(user: AppUser, name: string): Promise<number> {
  return Number((await user.page.getByLabel(name, { exact: true }).textContent()) ?? 'NaN');
}

describe('end-to-end encryption, driven through the UI', () => {
  let server: TestServer;
  let alice: AppUser;
  let bob: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice'), AppUser.open(server.url, 'bob')]);
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await server?.close();
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('is on by default, and with both on: same security code, audio both ways, frame counters moving', async () => {
    await callAndAnswer(alice, bob);
    expect(await encryptionText(alice)).toContain('End-to-end encrypted');
    expect(await encryptionText(bob)).toContain('End-to-end encrypted');
    for (const user of [alice, bob]) expect(await encryptionText(user)).toContain('post-quantum');
    const [aliceCode, bobCode] = await Promise.all([alice.securityCode(), bob.securityCode()]);
    expect(aliceCode).toMatch(/^\d{20}$/);
    expect(bobCode).toBe(aliceCode);

    await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);

    for (const user of [alice, bob]) {
      await user.page.getByRole('button', { name: 'Call details' }).click();
      await expect.poll(() => detail(user, 'Frames encrypted'), { timeout: 10_000 }).toBeGreaterThan(50);
      await expect.poll(() => detail(user, 'Frames decrypted'), { timeout: 10_000 }).toBeGreaterThan(50);
      expect(await detail(user, 'Frames dropped: auth')).toBe(0);
      expect(await detail(user, 'Frames dropped: replay')).toBe(0);
    }
    await hangUpAndDismiss(alice, bob);
  });

  it('encrypts video too: a video call decodes frames both ways through the E2EE worker', async () => {
    await alice.page.getByRole('checkbox', { name: 'With video' }).check();
    await callAndAnswer(alice, bob);
    expect(await alice.securityCode()).toBe(await bob.securityCode());
    await expect.poll(async () => (await bob.inboundAudio()).framesDecoded, { timeout: 15_000 }).toBeGreaterThan(30);
    await expect.poll(async () => (await alice.inboundAudio()).framesDecoded, { timeout: 15_000 }).toBeGreaterThan(30);
    for (const user of [alice, bob]) {
      await user.page.getByRole('button', { name: 'Call details' }).click();
      expect(await detail(user, 'Frames dropped: auth')).toBe(0);
    }
    await hangUpAndDismiss(alice, bob);
    await alice.page.getByRole('checkbox', { name: 'With video' }).uncheck();
  });

  it('a second call gets a different security code', async () => {
    await callAndAnswer(alice, bob);
    const first = await alice.securityCode();
    await hangUpAndDismiss(alice, bob);
    await callAndAnswer(bob, alice);
    const second = await bob.securityCode();
    expect(await alice.securityCode()).toBe(second);
    expect(second).not.toBe(first);
    await hangUpAndDismiss(bob, alice);
  });

  it('rotates the keys mid-call (a new epoch) without an audible gap', async () => {
    const carol = await AppUser.open(server.url, 'carol', { controlClock: true });
    try {
      await callAndAnswer(carol, bob);
      await Promise.all([carol.hearsAudio(), bob.hearsAudio()]);
      for (const user of [carol, bob]) await user.page.getByRole('button', { name: 'Call details' }).click();
      expect(await detail(carol, 'Key epoch')).toBe(0);
      const before = await bob.inboundAudio();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const steady = await bob.inboundAudio();

      // The app rotates its send key every five minutes; jump carol's clock past that.
      await carol.page.clock.fastForward('05:05');
      await expect.poll(() => detail(carol, 'Key epoch'), { timeout: 10_000 }).toBe(1);
      const atRekey = await bob.inboundAudio();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const after = await bob.inboundAudio();

      // Audio kept flowing and nothing was concealed more than in the same time before the rekey.
      expect(after.samples - atRekey.samples).toBeGreaterThan(48_000);
      expect(after.energy).toBeGreaterThan(atRekey.energy);
      expect(after.concealed - atRekey.concealed).toBeLessThanOrEqual(Math.max(960, 2 * (steady.concealed - before.concealed)));
      for (const reason of ['auth', 'unknown-key', 'replay']) expect(await detail(bob, `Frames dropped: ${reason}`)).toBe(0);
    } finally {
      // Hung up even when an expectation failed, so bob is free for the tests after this one.
      await hangUpAndDismiss(carol, bob).catch(() => undefined);
      await carol.close();
    }
  });

  it.each([
    { aliceOn: true, bobOn: false, aliceSees: 'bob has end-to-end encryption off.', bobSees: 'You have end-to-end encryption off.' },
    { aliceOn: false, bobOn: true, aliceSees: 'You have end-to-end encryption off.', bobSees: 'alice has end-to-end encryption off.' },
    {
      aliceOn: false,
      bobOn: false,
      aliceSees: 'You have end-to-end encryption off, and so does bob.',
      bobSees: 'You have end-to-end encryption off, and so does alice.',
    },
  ])('alice $aliceOn, bob $bobOn: standard encryption, and each side is told why', async ({ aliceOn, bobOn, aliceSees, bobSees }) => {
    await alice.setSetting('End-to-end encryption', aliceOn);
    await bob.setSetting('End-to-end encryption', bobOn);
    await callAndAnswer(alice, bob);
    const [aliceText, bobText] = await Promise.all([encryptionText(alice), encryptionText(bob)]);
    expect(aliceText).toContain('Not end-to-end encrypted.');
    expect(aliceText).toContain(aliceSees);
    expect(bobText).toContain('Not end-to-end encrypted.');
    expect(bobText).toContain(bobSees);
    expect(await alice.page.getByLabel('Security code').count()).toBe(0);
    await Promise.all([alice.hearsAudio(), bob.hearsAudio()]);
    await hangUpAndDismiss(alice, bob);
    await alice.setSetting('End-to-end encryption', true);
    await bob.setSetting('End-to-end encryption', true);
  });
});
