// The settings panel in the web client, driven by keyboard through roles and accessible names:
// every control has a name and is reachable with Tab inside a proper dialog; each setting changed
// there is still in force after a reload (and is used: the chosen microphone and speaker, E2EE off
// in a call); the identity key is a non-extractable WebCrypto key, and an identity moves into the
// browser through an exported, passphrase-encrypted file;
// reset puts every setting back. Start at login and the server address exist only in the desktop
// app: here the panel says so instead (their validation and persistence are unit-tested in main).
// Run: npm run build && npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/settings.e2e.test.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { rawNewAccount } from './app/capture';
import { startTestServer, type TestServer } from './app/server';
import { AppUser } from './app/user';
import { launchChromium, type LaunchedChromium } from './support/browser';
import { testbedJanus } from './support/janus';
import { fingerprint as fingerprintOf } from '../src/shared/e2ee/securityCode';
import { toBase64Url } from '../src/shared/encoding';
import { exportIdentityBackup } from '../src/shared/identityBackup';

const testbed = testbedJanus();
const skipReason = 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`Settings e2e tests skipped: ${skipReason}`);

declare global {
  interface Window {
    __testToneSinks?: string[];
    __testAudioConstraints?: string[];
    __testMicrophones?: MediaStreamTrack[];
  }
}

/**
 * Records, for the test only, the speaker every tone the page starts plays on (the sink of its
 * AudioContext, '' for the default), and how the page opens microphones.
 */
async function recordAudioRouting(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const toneSinks: string[] = [];
    const constraints: string[] = [];
    const microphones: MediaStreamTrack[] = [];
    window.__testToneSinks = toneSinks;
    window.__testAudioConstraints = constraints;
    window.__testMicrophones = microphones;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
      toneSinks.push(String((this.context as AudioContext & { sinkId?: unknown }).sinkId));
      start.call(this, when);
    };
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (request) => {
      if (request?.audio) constraints.push(JSON.stringify(request.audio));
      return getUserMedia(request).then((stream) => {
        microphones.push(...stream.getAudioTracks());
        return stream;
      });
    };
  });
}

/**
 * The identity key the web client keeps in `page`: what the stored CryptoKey says of itself, what
 * exporting it gives (the error's name), the length of a signature page script makes with it, and
 * the identity record in localStorage.
 */
async function storedIdentityKey(page: Page) {
  return page.evaluate(async () => {
    const key = await new Promise<CryptoKey>((resolve, reject) => {
      const open = indexedDB.open('softphone');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction('keys').objectStore('keys').get('identity');
        get.onerror = () => reject(get.error);
        get.onsuccess = () => resolve(get.result as CryptoKey);
      };
    });
    const exported = await crypto.subtle.exportKey('pkcs8', key).then(
      () => 'exported',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    const signature = await crypto.subtle.sign('Ed25519', key, new Uint8Array([1, 2, 3]));
    return {
      type: key.type,
      algorithm: key.algorithm.name,
      extractable: key.extractable,
      exported,
      signatureBytes: signature.byteLength,
      record: JSON.parse(localStorage.getItem('softphone/identity') ?? '{}') as Record<string, unknown>,
    };
  });
}

function settingsDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Settings' });
}

/** Opens Settings from the keyboard and waits until the focus is inside the dialog. */
async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).focus();
  await page.keyboard.press('Enter');
  const dialog = settingsDialog(page);
  await dialog.waitFor();
  await expect.poll(() => dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
  return dialog;
}

async function closeSettings(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await settingsDialog(page).waitFor({ state: 'detached' });
}

/** Focuses a control and presses keys on it. */
async function press(control: Locator, ...keys: string[]): Promise<void> {
  await control.focus();
  for (const key of keys) await control.page().keyboard.press(key);
}

/** The text of a select's chosen option. */
function chosen(select: Locator): Promise<string> {
  return select.evaluate((element) => (element as HTMLSelectElement).selectedOptions[0]?.text ?? '');
}

/** Every form control in the dialog with the role and name the browser's accessibility tree gives it. */
async function accessibleControls(cdp: CDPSession): Promise<{ tag: string; role: string; name: string }[]> {
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
    nodeId: root.nodeId,
    selector: 'dialog input, dialog select, dialog button, dialog textarea, dialog meter',
  });
  expect(nodeIds.length).toBeGreaterThan(10);
  const controls = [];
  for (const nodeId of nodeIds) {
    const { node } = await cdp.send('DOM.describeNode', { nodeId });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const ax = nodes[0];
    controls.push({ tag: node.localName, role: String(ax?.role?.value ?? ''), name: String(ax?.name?.value ?? '') });
  }
  return controls;
}

describe('settings panel (web client)', () => {
  let server: TestServer;
  let alice: AppUser;
  let bob: AppUser;
  let downloads: string;

  beforeAll(async () => {
    if ('skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    downloads = await mkdtemp(join(tmpdir(), 'softphone-settings-e2e-'));
    [alice, bob] = await Promise.all([AppUser.open(server.url, 'alice'), AppUser.open(server.url, 'bob')]);
    await recordAudioRouting(alice.page);
    await alice.page.reload();
    await alice.connection.filter({ hasText: 'Connected as alice' }).waitFor();
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await server?.close();
    if (downloads) await rm(downloads, { recursive: true, force: true });
  });

  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('is a dialog whose every control has an accessible name, is reachable with Tab and shows its focus; Escape closes it', async () => {
    const { page } = alice;
    const dialog = await openSettings(page);
    expect(await dialog.getAttribute('open')).not.toBeNull();

    const cdp = await page.context().newCDPSession(page);
    const controls = await accessibleControls(cdp);
    await cdp.detach();
    const unnamed = controls.filter((control) => control.name.trim() === '');
    expect(unnamed).toEqual([]);
    expect(controls.map((control) => control.name)).toEqual(
      expect.arrayContaining([
        'Close settings',
        'End-to-end encryption',
        'Microphone',
        'Microphone level',
        'Echo cancellation',
        'Noise suppression',
        'Automatic gain',
        'Camera',
        'Speaker',
        'Ringtone',
        'Ringtone volume',
        'Play test sound',
        'Notify me of incoming calls',
        'Passphrase of the identity file',
        'Open identity file',
        'Reset settings…',
      ]),
    );
    // Playwright's ARIA snapshot of the dialog agrees: no control without a name.
    const snapshot = await dialog.ariaSnapshot();
    const controlLines = snapshot.split('\n').filter((line) => /^\s*- (checkbox|combobox|slider|button|textbox|meter)\b/.test(line));
    expect(controlLines.length).toBeGreaterThan(10);
    expect(controlLines.filter((line) => !/^\s*- \w+ "[^"]+"/.test(line))).toEqual([]);

    // Tab goes through every enabled control and never reaches the page behind the dialog (after the
    // last control it passes through the browser's own UI, where the page's body holds focus); each
    // control shows where the focus is.
    const expected = await dialog.evaluate((element) => {
      const all = [...element.querySelectorAll<HTMLElement>('input, select, button, textarea')].filter((control) => !(control as HTMLInputElement).disabled);
      all.forEach((control, index) => (control.dataset.testIndex = String(index)));
      return all.length;
    });
    const reached = new Set<string>();
    for (let step = 0; step < expected * 2 + 2; step++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const active = document.activeElement as HTMLElement | null;
        const style = active ? getComputedStyle(active) : null;
        return {
          inDialog: !!active?.closest('dialog') || active === document.body,
          index: active?.dataset.testIndex ?? null,
          outlined: !!style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        };
      });
      expect(focus.inDialog).toBe(true);
      if (focus.index !== null) {
        expect(focus.outlined, `focus ring on control ${focus.index}`).toBe(true);
        reached.add(focus.index);
      }
    }
    expect(reached.size).toBe(expected);

    await closeSettings(page);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Settings');
  });

  it('changes each setting by keyboard and finds every one applied after a reload', async () => {
    const { page } = alice;
    let dialog = await openSettings(page);
    const control = {
      e2ee: () => dialog.getByRole('checkbox', { name: 'End-to-end encryption' }),
      microphone: () => dialog.getByRole('combobox', { name: 'Microphone' }),
      level: () => dialog.getByRole('meter', { name: 'Microphone level' }),
      echoCancellation: () => dialog.getByRole('checkbox', { name: 'Echo cancellation', exact: true }),
      noiseSuppression: () => dialog.getByRole('checkbox', { name: 'Noise suppression', exact: true }),
      autoGainControl: () => dialog.getByRole('checkbox', { name: 'Automatic gain', exact: true }),
      camera: () => dialog.getByRole('combobox', { name: 'Camera' }),
      speaker: () => dialog.getByRole('combobox', { name: 'Speaker' }),
      ringtone: () => dialog.getByRole('combobox', { name: 'Ringtone', exact: true }),
      volume: () => dialog.getByRole('slider', { name: 'Ringtone volume' }),
      notifications: () => dialog.getByRole('checkbox', { name: 'Notify me of incoming calls' }),
    };

    // The devices are listed once the panel may use them.
    for (const select of [control.microphone(), control.camera(), control.speaker()]) {
      await expect.poll(() => select.locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    }
    // The defaults, and the live level of the default microphone (Chromium's fake one beeps).
    expect(await control.e2ee().isChecked()).toBe(true);
    expect(await chosen(control.microphone())).toBe('System default');
    await expect.poll(() => control.level().evaluate((meter) => (meter as HTMLMeterElement).value), { timeout: 10_000 }).toBeGreaterThan(0);

    await press(control.e2ee(), 'Space');
    await press(control.microphone(), 'ArrowDown');
    await press(control.echoCancellation(), 'Space');
    await press(control.noiseSuppression(), 'Space');
    await press(control.autoGainControl(), 'Space');
    await press(control.camera(), 'ArrowDown');
    await press(control.speaker(), 'ArrowDown');
    await press(control.ringtone(), 'ArrowDown');
    await press(control.volume(), 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft');
    await press(control.notifications(), 'Space');

    const changed = {
      e2ee: false,
      microphone: 'Fake Audio Input 1',
      echoCancellation: false,
      noiseSuppression: false,
      autoGainControl: false,
      camera: 'fake_device_0',
      speaker: 'Fake Audio Output 1',
      ringtone: 'Chime',
      volume: '60',
      notifications: false,
    };
    const read = async () => ({
      e2ee: await control.e2ee().isChecked(),
      microphone: await chosen(control.microphone()),
      echoCancellation: await control.echoCancellation().isChecked(),
      noiseSuppression: await control.noiseSuppression().isChecked(),
      autoGainControl: await control.autoGainControl().isChecked(),
      camera: await chosen(control.camera()),
      speaker: await chosen(control.speaker()),
      ringtone: await chosen(control.ringtone()),
      volume: await control.volume().inputValue(),
      notifications: await control.notifications().isChecked(),
    });
    await expect.poll(read).toEqual(changed);

    // The desktop-only settings are explained, not offered.
    await expect.poll(() => dialog.getByText('Starting at login, updates and the server address are settings of the desktop app.').isVisible()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: 'Start Softphone when I log in' }).count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Server address' }).count()).toBe(0);
    await closeSettings(page);

    await page.reload();
    await alice.connection.filter({ hasText: 'Connected as alice' }).waitFor();
    dialog = await openSettings(page);
    await expect.poll(read).toEqual(changed);

    // In force: the level meter opens the chosen microphone without processing; the test sound
    // plays on the chosen speaker.
    const ids = await page.evaluate(async () => {
      const devices = await navigator.mediaDevices.enumerateDevices();
      const idOf = (label: string) => devices.find((device) => device.label === label)?.deviceId;
      return { microphone: idOf('Fake Audio Input 1'), speaker: idOf('Fake Audio Output 1') };
    });
    expect(ids.microphone).toBeTruthy();
    expect(ids.speaker).toBeTruthy();
    await expect
      .poll(() => page.evaluate(() => window.__testAudioConstraints ?? []))
      .toContainEqual(JSON.stringify({ deviceId: { exact: ids.microphone }, echoCancellation: false, noiseSuppression: false, autoGainControl: false }));
    await press(dialog.getByRole('button', { name: 'Play test sound' }), 'Enter');
    await expect.poll(() => page.evaluate(() => window.__testToneSinks ?? [])).toContain(ids.speaker);
    await closeSettings(page);

    // In a call: alice rings on her speaker, opens her chosen microphone, and has E2EE off.
    const tonesBefore = (await page.evaluate(() => window.__testToneSinks?.length)) ?? 0;
    await bob.dial('alice');
    await alice.incomingFrom('bob').waitFor();
    await expect
      .poll(() => page.evaluate((from) => window.__testToneSinks?.slice(from) ?? [], tonesBefore))
      .toSatisfy((ringing: string[]) => ringing.length > 0 && ringing.every((sink) => sink === ids.speaker));
    await alice.accept();
    await Promise.all([alice.callTimer.waitFor({ timeout: 20_000 }), bob.callTimer.waitFor({ timeout: 20_000 })]);
    await expect
      .poll(async () => (await page.getByLabel('Encryption', { exact: true }).textContent()) ?? '', { timeout: 20_000 })
      .toContain('You have end-to-end encryption off');
    const callConstraints = (await page.evaluate(() => window.__testAudioConstraints ?? [])).at(-1) ?? '';
    expect(JSON.parse(callConstraints)).toMatchObject({ deviceId: { exact: ids.microphone } });

    // Changed during the call, processing reaches the microphone the call is using at once.
    const liveMicrophones = () =>
      page.evaluate(() =>
        (window.__testMicrophones ?? [])
          .filter((track) => track.readyState === 'live')
          .map((track) => {
            const { echoCancellation, noiseSuppression, autoGainControl } = track.getSettings();
            return { id: track.id, echoCancellation, noiseSuppression, autoGainControl };
          }),
      );
    const [callMicrophone] = await liveMicrophones();
    expect(callMicrophone).toMatchObject({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    dialog = await openSettings(page);
    await press(dialog.getByRole('checkbox', { name: 'Echo cancellation', exact: true }), 'Space');
    await closeSettings(page);
    await expect
      .poll(liveMicrophones, { timeout: 10_000 })
      .toEqual([expect.objectContaining({ echoCancellation: true, noiseSuppression: false, autoGainControl: false })]);
    const [changedMicrophone] = await liveMicrophones();
    console.log(
      `processing changed during the call ${changedMicrophone?.id === callMicrophone?.id ? 'on the live track (applyConstraints)' : 'by opening the microphone again'}`,
    );
    await expect.poll(async () => (await alice.callTimer.isVisible()) && (await bob.callTimer.isVisible())).toBe(true);
    await alice.hangUp();
    await Promise.all([alice.endReason(), bob.endReason()]);
    await Promise.all([alice.dismissEnded(), bob.dismissEnded()]);
  });

  it('resets every setting to its default after confirmation, and the defaults survive a reload', async () => {
    const { page } = alice;
    let dialog = await openSettings(page);
    await press(dialog.getByRole('button', { name: 'Reset settings…' }), 'Enter');
    const confirm = dialog.getByRole('group', { name: 'Confirm reset' });
    // The safe answer has the focus: Enter now keeps the settings.
    expect(await confirm.getByRole('button', { name: 'Keep my settings' }).evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await dialog.getByRole('checkbox', { name: 'End-to-end encryption' }).isChecked()).toBe(false);

    await press(dialog.getByRole('button', { name: 'Reset settings…' }), 'Enter');
    await press(confirm.getByRole('button', { name: 'Reset to defaults' }), 'Enter');
    const defaults = async () => ({
      e2ee: await dialog.getByRole('checkbox', { name: 'End-to-end encryption' }).isChecked(),
      microphone: await chosen(dialog.getByRole('combobox', { name: 'Microphone' })),
      speaker: await chosen(dialog.getByRole('combobox', { name: 'Speaker' })),
      ringtone: await chosen(dialog.getByRole('combobox', { name: 'Ringtone', exact: true })),
      volume: await dialog.getByRole('slider', { name: 'Ringtone volume' }).inputValue(),
      notifications: await dialog.getByRole('checkbox', { name: 'Notify me of incoming calls' }).isChecked(),
    });
    const expected = { e2ee: true, microphone: 'System default', speaker: 'System default', ringtone: 'Classic', volume: '80', notifications: true };
    await expect.poll(defaults).toEqual(expected);
    await closeSettings(page);

    await page.reload();
    await alice.connection.filter({ hasText: 'Connected as alice' }).waitFor();
    dialog = await openSettings(page);
    await expect.poll(defaults).toEqual(expected);
    await closeSettings(page);
  });

  it('keeps the identity key non-extractable in the browser, and moves an identity in from an encrypted file, after confirmation only', async () => {
    const { page } = alice;
    const fingerprint = (target: Page) => target.getByLabel('Identity key fingerprint').textContent();

    // alice logged in with a key that page script can sign with but not export; no seed is stored.
    const stored = await storedIdentityKey(page);
    expect(stored).toMatchObject({ type: 'private', algorithm: 'Ed25519', extractable: false, exported: 'InvalidAccessError', signatureBytes: 64 });
    expect(stored.record).not.toHaveProperty('seed');
    let dialog = await openSettings(page);
    expect(await dialog.getByLabel('Identity backup').textContent()).toContain('so it cannot be exported');
    expect(await dialog.getByRole('form', { name: 'Export identity' }).count()).toBe(0);
    await closeSettings(page);

    // A backup made where the key can be exported (the desktop app), of an account the server knows.
    const seed = ed25519.utils.randomSecretKey();
    (await rawNewAccount('zoe', server.url, seed)).close();
    const zoeFingerprint = fingerprintOf(ed25519.getPublicKey(seed));
    const passphrase = 'a passphrase for my new laptop';
    const exported = await exportIdentityBackup({ secretKey: seed, handle: 'zoe' }, passphrase);
    const exportedPath = join(downloads, 'zoe.json');
    await writeFile(exportedPath, exported);

    const tamperedPath = join(downloads, 'tampered.json');
    const file = JSON.parse(exported) as { ciphertext: string };
    await writeFile(
      tamperedPath,
      JSON.stringify({ ...file, ciphertext: `${file.ciphertext.slice(0, 10)}${file.ciphertext[10] === 'A' ? 'B' : 'A'}${file.ciphertext.slice(11)}` }),
    );

    const laptop: LaunchedChromium = await launchChromium();
    try {
      const newPage = laptop.context.pages()[0] ?? (await laptop.context.newPage());
      await newPage.goto(server.url);
      await newPage.getByRole('heading', { name: 'Welcome' }).waitFor();
      const ownFingerprint = await newPage.getByText('This device’s identity key:').locator('code').textContent();

      dialog = await openSettings(newPage);
      const importForm = dialog.getByRole('form', { name: 'Import identity' });
      const openFile = async (path: string, offered: string) => {
        await importForm.getByLabel('Identity file', { exact: true }).setInputFiles(path);
        await importForm.getByLabel('Passphrase of the identity file').fill('');
        await importForm.getByLabel('Passphrase of the identity file').focus();
        await newPage.keyboard.type(offered);
        await newPage.keyboard.press('Enter');
      };
      const problem = dialog.getByRole('alert');

      await openFile(exportedPath, 'not the passphrase');
      await problem.filter({ hasText: 'The passphrase is wrong: it does not open this identity file.' }).waitFor({ timeout: 30_000 });
      await openFile(tamperedPath, passphrase);
      await problem.filter({ hasText: 'The identity file was changed after it was exported' }).waitFor({ timeout: 30_000 });

      // Opening the right file asks first; cancelling keeps this device's identity.
      await openFile(exportedPath, passphrase);
      const confirm = dialog.getByRole('group', { name: 'Confirm identity import' });
      await confirm.waitFor({ timeout: 30_000 });
      expect(await confirm.textContent()).toContain(`the identity of zoe, fingerprint ${zoeFingerprint}`);
      expect(await confirm.getByRole('button', { name: 'Cancel import' }).evaluate((button) => button === document.activeElement)).toBe(true);
      await newPage.keyboard.press('Enter');
      await confirm.waitFor({ state: 'detached' });
      await closeSettings(newPage);
      await newPage.reload();
      expect(await newPage.getByText('This device’s identity key:').locator('code').textContent()).toBe(ownFingerprint);

      // Confirmed: the page restarts as zoe, logged in with the imported key, now non-extractable.
      dialog = await openSettings(newPage);
      await openFile(exportedPath, passphrase);
      await confirm.waitFor({ timeout: 30_000 });
      await press(confirm.getByRole('button', { name: 'Replace my identity' }), 'Enter');
      await newPage.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected as zoe' }).waitFor({ timeout: 30_000 });
      dialog = await openSettings(newPage);
      expect(await fingerprint(newPage)).toBe(zoeFingerprint);
      await closeSettings(newPage);
      const moved = await storedIdentityKey(newPage);
      expect(moved).toMatchObject({ extractable: false, exported: 'InvalidAccessError', signatureBytes: 64 });
      expect(JSON.stringify(moved.record)).not.toContain(toBase64Url(seed));
    } finally {
      await laptop.close();
    }
  });
});
