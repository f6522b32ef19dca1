// The desktop app end to end: two Electron instances, each with its own user-data folder (its own
// identity, settings and pinned contacts), against the real signaling server and the testbed's
// Janus, with end-to-end encryption on. They call each other and must show the same security code.
// Needs the Electron binary: where it is missing the suite is skipped and says so.
// Run: npx tsx scripts/testbed.ts run -- npx vitest run --project e2e e2e/electron/calls.e2e.test.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../app/server';
import { testbedJanus } from '../support/janus';
import { findElectronBinary } from '../../scripts/electron-binary';
import { IDENTITY_FILE } from '../../src/main/identityVault';
import { INSECURE_PLAINTEXT_ENV } from '../../src/main/sealedFile';
import { SETTINGS_FILE } from '../../src/main/settingsStore';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const binary = findElectronBinary();
const testbed = testbedJanus();
const skipReason = 'missing' in binary ? `the Electron binary is missing (${binary.missing})` : 'skipReason' in testbed ? testbed.skipReason : undefined;
if (skipReason) console.warn(`Electron e2e tests skipped: ${skipReason}`);

/** One running desktop app with its own profile. */
class DesktopUser {
  private constructor(
    readonly handle: string,
    readonly app: ElectronApplication,
    readonly window: Page,
    readonly userDataDir: string,
    private readonly output: () => string,
  ) {}

  static async launch(executablePath: string, handle: string, serverUrl: string): Promise<DesktopUser> {
    const userDataDir = await mkdtemp(join(tmpdir(), `softphone-electron-${handle}-`));
    // The settings file in the format the app keeps: this instance's signaling server, E2EE on.
    await writeFile(join(userDataDir, SETTINGS_FILE), JSON.stringify({ serverUrl, e2ee: true }));
    const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
    const app = await electron.launch({
      executablePath,
      cwd: REPO_ROOT,
      args: [
        REPO_ROOT,
        `--user-data-dir=${userDataDir}`,
        '--use-fake-device-for-media-stream',
        '--disable-gpu',
        // Without a display, Chromium's headless Ozone platform draws off screen.
        ...(headless ? ['--ozone-platform=headless'] : []),
        // The testbed needs root, and Chromium refuses to start as root with its OS sandbox on
        // (the renderer's own sandbox and context isolation stay on: see the checks below).
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      env: { ...definedEnvironment(), [INSECURE_PLAINTEXT_ENV]: '1' },
      timeout: 60_000,
    });
    let output = '';
    app.process().stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    app.process().stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const window = await app.firstWindow();
    window.on('pageerror', (error) => console.warn(`[${handle}] page error: ${error.message}`));
    return new DesktopUser(handle, app, window, userDataDir, () => output);
  }

  async register(): Promise<void> {
    await this.window.getByRole('textbox', { name: 'Handle' }).fill(this.handle);
    await this.window.getByRole('button', { name: 'Continue' }).click();
    await this.window.getByRole('textbox', { name: 'Call', exact: true }).waitFor({ timeout: 20_000 });
  }

  async dial(handle: string): Promise<void> {
    await this.window.getByRole('textbox', { name: 'Call', exact: true }).fill(handle);
    await this.window.getByRole('button', { name: 'Call', exact: true }).click();
  }

  async accept(): Promise<void> {
    await this.window.getByRole('button', { name: 'Accept' }).click({ timeout: 20_000 });
  }

  async hangUp(): Promise<void> {
    await this.window.getByRole('button', { name: 'Hang up' }).click();
  }

  /** The 20-digit security code on screen, digits only. */
  async securityCode(): Promise<string> {
    const code = this.window.getByLabel('Security code');
    await code.waitFor({ timeout: 30_000 });
    return ((await code.textContent()) ?? '').replace(/\D/g, '');
  }

  /** What main logged, for the failure message. */
  log(): string {
    return this.output().slice(-3000);
  }

  async close(): Promise<void> {
    await this.app.close().catch(() => undefined);
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

function definedEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

describe('the desktop app, two instances calling each other', () => {
  let server: TestServer;
  let alice: DesktopUser;
  let bob: DesktopUser;

  beforeAll(async () => {
    if ('missing' in binary || 'skipReason' in testbed) return;
    server = await startTestServer({ janus: testbed });
    const signaling = new URL('/ws', server.url.replace(/^http/, 'ws')).href;
    [alice, bob] = await Promise.all([DesktopUser.launch(binary.path, 'alice', signaling), DesktopUser.launch(binary.path, 'bob', signaling)]);
    await Promise.all([alice.register(), bob.register()]);
  });

  afterAll(async () => {
    await Promise.all([alice, bob].filter(Boolean).map((user) => user.close()));
    await server?.close();
  });

  // Skipped, never passed, when the binary or the testbed is missing; the reason goes in the report.
  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });

  it('loads the app from app:// in a sandboxed, isolated page that sees only window.softphone', async () => {
    expect(alice.window.url()).toBe('app://softphone/index.html');
    const page = await alice.window.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { softphone?: object }).softphone ?? {}).sort(),
    }));
    expect(page.require).toBe('undefined');
    expect(page.process).toBe('undefined');
    expect(page.bridge).toContain('identity.signLogin');
    expect(page.bridge).not.toContain('ipcRenderer');
  });

  it('keeps each identity in its own profile, flagged as plaintext in this test mode', async () => {
    const [aliceFile, bobFile] = await Promise.all(
      [alice, bob].map(async (user) => JSON.parse(await readFile(join(user.userDataDir, IDENTITY_FILE), 'utf8')) as { protection: string; warning: string }),
    );
    expect(aliceFile?.protection).toBe('insecure-plaintext');
    expect(aliceFile?.warning).toMatch(/NOT ENCRYPTED/);
    expect(JSON.stringify(aliceFile)).not.toBe(JSON.stringify(bobFile));
  });

  it('makes an end-to-end encrypted call in which both sides show the same security code', async () => {
    try {
      await alice.dial('bob');
      await bob.accept();
      const [aliceCode, bobCode] = await Promise.all([alice.securityCode(), bob.securityCode()]);
      expect(aliceCode).toMatch(/^\d{20}$/);
      expect(bobCode).toBe(aliceCode);

      await alice.hangUp();
      await bob.window.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'detached', timeout: 20_000 });
    } catch (error) {
      console.warn(`alice's main process:\n${alice.log()}\nbob's main process:\n${bob.log()}`);
      throw error;
    }
  });

  it('saves the desktop-only settings from the panel: start at login, and a checked server address that reloads the window', async () => {
    const page = alice.window;
    const openSettings = async () => {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      return page.getByRole('dialog', { name: 'Settings' });
    };
    let dialog = await openSettings();
    await dialog.getByRole('checkbox', { name: 'Start Softphone when I log in' }).check();
    const address = dialog.getByRole('textbox', { name: 'Server address' });
    await address.fill('https://example.org/ws');
    await dialog.getByRole('button', { name: 'Save server address' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'the server address must be a ws:// or wss:// URL' }).waitFor();

    // The same server under another name: a new address, so main saves it and reloads the window.
    const current = JSON.parse(await readFile(join(alice.userDataDir, SETTINGS_FILE), 'utf8')) as { serverUrl: string };
    const renamed = current.serverUrl.replace('127.0.0.1', 'localhost');
    await address.fill(renamed);
    await dialog.getByRole('button', { name: 'Save server address' }).click();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected as alice' }).waitFor({ timeout: 30_000 });

    expect(JSON.parse(await readFile(join(alice.userDataDir, SETTINGS_FILE), 'utf8'))).toMatchObject({ startAtLogin: true, serverUrl: renamed });
    dialog = await openSettings();
    expect(await dialog.getByRole('checkbox', { name: 'Start Softphone when I log in' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Server address' }).inputValue()).toBe(renamed);
    await page.keyboard.press('Escape');
  });
});
