// What a softphone is used for all day, driven through the web client's UI by role and name:
// contacts, call history, hold and mute (checked from the peer's WebRTC stats), do-not-disturb,
// and calls surviving a lost signaling connection or ending with a reason when the server restarts.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app/server';
import { startTamperingRelay, type TamperingRelay } from './app/tamperingRelay';
import { AppUser, callAndAnswer, hangUpAndDismiss, type InboundAudio } from './app/user';
import { testbedJanus } from './support/janus';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`everyday-use e2e tests skipped: ${skipReason}`);

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How much sound `user` received over `ms` (the growth of WebRTC's totalAudioEnergy). */
async function energyOver(user: AppUser, ms: number): Promise<number> {
  const before: InboundAudio = await user.inboundAudio();
  await sleep(ms);
  return (await user.inboundAudio()).energy - before.energy;
}

/** Adds `handle` to `user`'s contacts through the Contacts tab; the tab stays open. */
async function addContact(user: AppUser, handle: string) {
  await user.page.getByRole('tab', { name: 'Contacts' }).click();
  await user.page.getByRole('textbox', { name: 'Add contact' }).fill(handle);
  await user.page.getByRole('button', { name: 'Add', exact: true }).click();
  const entry = user.page.getByRole('listitem', { name: handle });
  await entry.waitFor();
  return entry;
}

/** The history entries on screen, one line of text each. */
async function historyLines(user: AppUser): Promise<string[]> {
  await user.page.getByRole('tab', { name: /^History/ }).click();
  return (await user.page.getByRole('list', { name: 'Calls' }).getByRole('listitem').allTextContents()).map((line) => line.replace(/\s+/g, ' '));
}

describe('contacts, history, hold, mute and do-not-disturb', () => {
  let server: TestServer;
  let alice: AppUser;
  let bob: AppUser;
  let carol: AppUser;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed, ringTimeoutSeconds: 4 });
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
    // A test that failed mid-call leaves the call up: end it so the next one starts clean.
    for (const user of [alice, bob, carol]) {
      const hangUp = user.page.getByRole('button', { name: 'Hang up' });
      if (await hangUp.isVisible()) await hangUp.click();
    }
    for (const user of [alice, bob, carol]) {
      await user.page.getByRole('tab', { name: 'Call', exact: true }).waitFor({ timeout: 10_000 });
      await user.dismissEnded();
      await user.page.getByRole('tab', { name: 'Call', exact: true }).click();
    }
  });

  it('adds a contact by handle, shows its key, and calls it from the contact list', async () => {
    // Presence only between people who have each other as contacts: bob adds alice first, and
    // sees her offline until she adds him too; then both see each other without reloading.
    const bobsEntry = await addContact(bob, 'alice');
    await sleep(500);
    expect(await bobsEntry.textContent()).toContain('offline');
    await bob.page.getByRole('tab', { name: 'Call', exact: true }).click();
    const entry = await addContact(alice, 'bob');
    expect(await entry.textContent()).toMatch(/Key [0-9a-f]{4}( [0-9a-f]{4}){7} — not verified/);
    await expect.poll(() => entry.textContent(), { timeout: 10_000 }).toContain('available');
    await bob.page.getByRole('tab', { name: 'Contacts' }).click();
    await expect.poll(() => bobsEntry.textContent(), { timeout: 10_000 }).toContain('available');
    await bob.page.getByRole('tab', { name: 'Call', exact: true }).click();

    await alice.page.getByRole('button', { name: 'Favourite bob' }).click();
    await alice.page.getByRole('button', { name: 'Favourite bob', pressed: true }).waitFor();
    await alice.page.getByRole('searchbox', { name: 'Search contacts' }).fill('zzz');
    expect(await alice.page.getByRole('listitem', { name: 'bob' }).count()).toBe(0);
    await alice.page.getByRole('searchbox', { name: 'Search contacts' }).fill('bo');

    await alice.page.getByRole('button', { name: 'Call bob' }).click();
    await bob.incomingFrom('alice').waitFor();
    await bob.accept();
    await alice.callTimer.waitFor({ timeout: 20_000 });
    await hangUpAndDismiss(alice, bob);
  });

  it('keeps answered, missed, declined and end-to-end encrypted calls in the history, with a missed-call badge', async () => {
    await callAndAnswer(alice, bob); // E2EE is on for both by default
    await hangUpAndDismiss(alice, bob);

    await carol.dial('alice');
    await alice.incomingFrom('carol').waitFor();
    await carol.hangUp(); // alice misses it
    await alice.endReason();
    await alice.dismissEnded();
    await alice.page.getByRole('tab', { name: 'History (1 missed)' }).waitFor();

    await carol.dial('alice');
    await alice.incomingFrom('carol').waitFor();
    await alice.decline();
    await Promise.all([alice.endReason(), carol.endReason()]);
    await Promise.all([alice.dismissEnded(), carol.dismissEnded()]);

    const lines = await historyLines(alice);
    expect(lines[0]).toMatch(/^carol — Incoming call, Declined/);
    expect(lines[1]).toMatch(/^carol — Incoming call, Missed/);
    expect(lines[2]).toMatch(/^bob — Outgoing call, Answered · End-to-end encrypted .* · \d+:\d\d\s*Call bob back$/);
    // Opening the history cleared the badge.
    await alice.page.getByRole('tab', { name: 'History', exact: true }).waitFor();
    expect(await historyLines(carol)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^alice — Outgoing call, Declined/), expect.stringMatching(/^alice — Outgoing call, Cancelled/)]),
    );

    await alice.page.getByRole('button', { name: 'Call carol back' }).first().click();
    await carol.incomingFrom('alice').waitFor();
    await carol.decline();
    await alice.endReason();
  });

  it('puts a call on hold and resumes it: both sides see it, and the audio stops and resumes', async () => {
    await callAndAnswer(alice, bob);
    await bob.hearsAudio();
    expect(await energyOver(bob, 1500)).toBeGreaterThan(0);

    await alice.page.getByRole('button', { name: 'Hold', exact: true, pressed: false }).click();
    await alice.page.getByRole('status', { name: 'Hold' }).filter({ hasText: 'You put the call on hold.' }).waitFor();
    await bob.page.getByRole('status', { name: 'Hold' }).filter({ hasText: 'alice put the call on hold.' }).waitFor();
    await sleep(500);
    expect(await energyOver(bob, 1500)).toBeLessThan(1e-4);

    await alice.page.getByRole('button', { name: 'Resume', exact: true, pressed: true }).click();
    await bob.page.getByRole('status', { name: 'Hold' }).waitFor({ state: 'detached' });
    await sleep(500);
    expect(await energyOver(bob, 1500)).toBeGreaterThan(0);
    await hangUpAndDismiss(bob, alice);
  });

  it('mutes and unmutes: the peer stops and starts receiving sound (from its stats)', async () => {
    await callAndAnswer(bob, alice);
    await alice.hearsAudio();
    const unmuted = await energyOver(alice, 1500);
    expect(unmuted).toBeGreaterThan(0);
    await bob.page.getByRole('button', { name: 'Mute', exact: true, pressed: false }).click();
    await bob.page.getByRole('button', { name: 'Unmute', exact: true, pressed: true }).waitFor();
    await sleep(500);
    // A muted microphone sends silence: at most a trace of the sound before (jitter-buffer tail).
    expect(await energyOver(alice, 1500)).toBeLessThan(unmuted / 100);
    // The keyboard shortcut toggles it back.
    await bob.page.keyboard.press('Alt+Shift+M');
    await bob.page.getByRole('button', { name: 'Mute', exact: true, pressed: false }).waitFor();
    await sleep(500);
    expect(await energyOver(alice, 1500)).toBeGreaterThan(0);
    await hangUpAndDismiss(alice, bob);
  });

  it('with do-not-disturb on, an incoming call is declined with that reason and lands in history as missed', async () => {
    await bob.page.getByRole('checkbox', { name: 'Do not disturb' }).check();
    await carol.dial('bob');
    expect(await carol.endReason()).toBe('bob is not taking calls right now (do not disturb).');
    expect(await bob.incomingFrom('carol').count()).toBe(0);
    await bob.page.getByRole('tab', { name: 'History (1 missed)' }).waitFor();
    expect((await historyLines(bob))[0]).toMatch(/^carol — Incoming call, Missed/);
    await bob.page.getByRole('checkbox', { name: 'Do not disturb' }).uncheck();
  });

  it('shows a contact offline to someone they took off their contacts, while they are still online', async () => {
    const carolsEntry = await addContact(carol, 'alice');
    const alicesEntry = await addContact(alice, 'carol');
    await expect.poll(() => carolsEntry.textContent(), { timeout: 10_000 }).toContain('available');
    await expect.poll(() => alicesEntry.textContent(), { timeout: 10_000 }).toContain('available');
    await alice.page.getByRole('button', { name: 'Remove carol', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Yes, remove carol' }).click();
    await expect.poll(() => carolsEntry.textContent(), { timeout: 10_000 }).toContain('offline');
    expect(await alice.connection.textContent()).toContain('Connected as alice');
    for (const user of [alice, carol]) await user.page.getByRole('tab', { name: 'Call', exact: true }).click();
  });

  it('keeps contacts and history when the app restarts, and shows presence again after it', async () => {
    await alice.page.reload();
    await alice.connection.filter({ hasText: 'Connected as alice' }).waitFor();
    await alice.page.getByRole('tab', { name: 'Contacts' }).click();
    await alice.page.getByRole('listitem', { name: 'bob' }).waitFor();
    await expect.poll(() => alice.page.getByRole('listitem', { name: 'bob' }).textContent(), { timeout: 10_000 }).toContain('available');
    await bob.page.getByRole('tab', { name: 'Contacts' }).click();
    await expect.poll(() => bob.page.getByRole('listitem', { name: 'alice' }).textContent(), { timeout: 10_000 }).toContain('available');
    await bob.page.getByRole('tab', { name: 'Call', exact: true }).click();
    expect(await alice.page.getByRole('button', { name: 'Favourite bob', pressed: true }).count()).toBe(1);
    expect((await historyLines(alice)).length).toBeGreaterThanOrEqual(4);
  });

  it('answers ringing shortcuts by keyboard: accept and hang up', async () => {
    await carol.dial('bob');
    await bob.incomingFrom('carol').waitFor();
    await bob.page.keyboard.press('Alt+Shift+A');
    await carol.callTimer.waitFor({ timeout: 20_000 });
    await bob.page.keyboard.press('Alt+Shift+H');
    expect(await bob.endReason()).toBe('You hung up.');
    expect(await carol.endReason()).toBe('bob hung up.');
  });
});

describe('calls through connection trouble', () => {
  let server: TestServer;
  let relay: TamperingRelay;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed, reconnectGraceSeconds: 10 });
    relay = await startTamperingRelay(server.url);
  });

  afterAll(async () => {
    await relay?.close();
    await server?.close();
    if (server) await rm(server.dataDir, { recursive: true, force: true });
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('survives a few seconds without signaling: the call and its audio go on, and it can be hung up after', async () => {
    const [dora, erik] = await Promise.all([AppUser.open(relay.url, 'dora'), AppUser.open(server.url, 'erik')]);
    try {
      await callAndAnswer(dora, erik);
      await erik.hearsAudio();
      relay.interrupt('dora', 3000);
      await dora.connection.filter({ hasText: 'Offline' }).waitFor();
      expect(await energyOver(erik, 1500)).toBeGreaterThan(0);
      await dora.connection.filter({ hasText: 'Connected as dora' }).waitFor({ timeout: 15_000 });
      expect(await dora.callTimer.isVisible()).toBe(true);
      expect(await energyOver(erik, 1500)).toBeGreaterThan(0);
      expect(await energyOver(dora, 1500)).toBeGreaterThan(0);
      await hangUpAndDismiss(dora, erik);
    } finally {
      await Promise.all([dora.close(), erik.close()]);
    }
  });

  it('survives a few seconds without any network to the media server: the audio comes back by itself', async (context) => {
    const link = process.env.SOFTPHONE_TESTBED_INTERFACE;
    if (!link) return context.skip('SOFTPHONE_TESTBED_INTERFACE is unset: the testbed names the link to take down');
    const [hana, ivan] = await Promise.all([AppUser.open(server.url, 'hana'), AppUser.open(server.url, 'ivan')]);
    try {
      await callAndAnswer(hana, ivan);
      await ivan.hearsAudio();
      await run('ip', ['link', 'set', link, 'down']);
      try {
        await sleep(500);
        expect(await energyOver(ivan, 3000)).toBeLessThan(1e-4);
      } finally {
        await run('ip', ['link', 'set', link, 'up']);
      }
      await ivan.hearsAudio();
      await hana.hearsAudio();
      expect(await hana.callTimer.isVisible()).toBe(true);
      await hangUpAndDismiss(hana, ivan);
    } finally {
      await Promise.all([hana.close(), ivan.close()]);
    }
  });

  it.each([
    ['restarted', 'stop', 'The call ended: the server was shut down (it may be restarting).'],
    ['killed and started again', 'kill', 'The call ended: your connection to the server was lost.'],
  ] as const)('when the server is %s mid-call, both sides are told why the call ended', async (_how, stopping, reason) => {
    const port = Number(new URL(server.url).port);
    const [finn, gina] = await Promise.all([AppUser.open(server.url, `finn${stopping}`), AppUser.open(server.url, `gina${stopping}`)]);
    try {
      await callAndAnswer(finn, gina);
      await server[stopping]();
      server = await startTestServer({ janus: testbed as Exclude<typeof testbed, { skipReason: string }>, dataDir: server.dataDir, port });
      expect(await finn.endReason()).toBe(reason);
      expect(await gina.endReason()).toBe(reason);
      await finn.connection.filter({ hasText: `Connected as finn${stopping}` }).waitFor({ timeout: 20_000 });
      expect(await finn.openPeerConnections()).toBe(0);
    } finally {
      await Promise.all([finn.close(), gina.close()]);
    }
  });
});
