// One person using the web client in their own Chromium: drives the UI by role and accessible
// name only, and reads WebRTC stats from the page's peer connections (recorded by an init script
// the test injects; the app itself exposes nothing for tests).
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { recordPeerConnections } from './audioProbe';
import { launchChromium, type LaunchedChromium } from '../support/browser';

export interface InboundAudio {
  /** Audio samples received and decoded so far, over all receiving peer connections. */
  samples: number;
  /** Sum of squared sample values so far (WebRTC's totalAudioEnergy). */
  energy: number;
  /** Samples the decoder had to conceal (lost or undecodable audio) so far. */
  concealed: number;
  /** Video frames decoded so far. */
  framesDecoded: number;
}

export class AppUser {
  private constructor(
    readonly handle: string,
    readonly page: Page,
    private readonly browser: LaunchedChromium,
  ) {}

  /**
   * Opens the web client in a fresh browser profile and registers `handle` through first run.
   * `controlClock` installs Playwright's clock in the page first (time runs normally until a test
   * fast-forwards it).
   */
  static async open(serverUrl: string, handle: string, options: { fakeAudioCapture?: string; controlClock?: boolean } = {}): Promise<AppUser> {
    const browser = await launchChromium(options.fakeAudioCapture ? { fakeAudioCapture: options.fakeAudioCapture } : {});
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await recordPeerConnections(page);
    if (options.controlClock) await page.clock.install();
    page.on('pageerror', (error) => console.warn(`[${handle}] page error: ${error.message}`));
    await page.goto(serverUrl);
    const user = new AppUser(handle, page, browser);
    await user.register();
    return user;
  }

  private async register(): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Handle' }).fill(this.handle);
    await this.page.getByRole('button', { name: 'Continue' }).click();
    await this.connection.filter({ hasText: `Connected as ${this.handle}` }).waitFor();
  }

  get connection(): Locator {
    return this.page.getByRole('status', { name: 'Connection' });
  }

  async setSetting(name: string, on: boolean): Promise<void> {
    await this.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const box = this.page.getByRole('checkbox', { name });
    await box.setChecked(on);
    await this.page.getByRole('checkbox', { name, checked: on }).waitFor();
    await this.page.getByRole('button', { name: 'Close settings' }).click();
  }

  /** Turns echo cancellation, noise suppression and automatic gain all on or off. */
  async setAudioProcessing(on: boolean): Promise<void> {
    await this.page.getByRole('button', { name: 'Settings', exact: true }).click();
    for (const name of ['Echo cancellation', 'Noise suppression', 'Automatic gain']) {
      await this.page.getByRole('checkbox', { name, exact: true }).setChecked(on);
      await this.page.getByRole('checkbox', { name, exact: true, checked: on }).waitFor();
    }
    await this.page.getByRole('button', { name: 'Close settings' }).click();
  }

  async dial(handle: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Call', exact: true }).fill(handle);
    await this.page.getByRole('button', { name: 'Call', exact: true }).click();
  }

  incomingFrom(handle: string): Locator {
    return this.page.getByRole('heading', { name: new RegExp(`^Incoming (video )?call from ${handle}$`) });
  }

  async accept(): Promise<void> {
    await this.page.getByRole('button', { name: 'Accept' }).click();
  }

  async decline(): Promise<void> {
    await this.page.getByRole('button', { name: 'Decline' }).click();
  }

  async hangUp(): Promise<void> {
    await this.page.getByRole('button', { name: 'Hang up' }).click();
  }

  /** The call duration timer, shown once media flows. */
  get callTimer(): Locator {
    return this.page.getByRole('timer', { name: 'Call duration' });
  }

  get callStatus(): Locator {
    return this.page.getByRole('status', { name: 'Call status' });
  }

  /** Waits for the "Call ended" notice and returns its reason text. */
  async endReason(): Promise<string> {
    const reason = this.page.getByRole('status', { name: 'Call end reason' });
    await reason.waitFor({ timeout: 20_000 });
    return (await reason.textContent()) ?? '';
  }

  async dismissEnded(): Promise<void> {
    const dismiss = this.page.getByRole('button', { name: 'Dismiss' });
    if (await dismiss.isVisible()) await dismiss.click();
  }

  /** The 20-digit security code on screen, digits only. */
  async securityCode(): Promise<string> {
    const code = this.page.getByLabel('Security code');
    await code.waitFor({ timeout: 20_000 });
    return ((await code.textContent()) ?? '').replace(/\D/g, '');
  }

  /** What the page has received so far, from getStats() on its open peer connections. */
  async inboundAudio(): Promise<InboundAudio> {
    return this.page.evaluate(async () => {
      const totals = { samples: 0, energy: 0, concealed: 0, framesDecoded: 0 };
      for (const pc of window.__testPeerConnections ?? []) {
        if (pc.connectionState === 'closed') continue;
        const stats = await pc.getStats();
        stats.forEach((report: Record<string, unknown>) => {
          if (report.type !== 'inbound-rtp') return;
          if (report.kind === 'audio') {
            totals.samples += Number(report.totalSamplesReceived ?? 0);
            totals.energy += Number(report.totalAudioEnergy ?? 0);
            totals.concealed += Number(report.concealedSamples ?? 0);
          } else if (report.kind === 'video') {
            totals.framesDecoded += Number(report.framesDecoded ?? 0);
          }
        });
      }
      return totals;
    });
  }

  /** Waits until this user receives audio with sound in it, and returns the stats then. */
  async hearsAudio(): Promise<InboundAudio> {
    const start = await this.inboundAudio();
    let latest = start;
    await expect
      .poll(
        async () => {
          latest = await this.inboundAudio();
          return latest.samples - start.samples > 16_000 && latest.energy > start.energy;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    return latest;
  }

  /** Peer connections the page still has open. */
  async openPeerConnections(): Promise<number> {
    return this.page.evaluate(() => (window.__testPeerConnections ?? []).filter((pc) => pc.connectionState !== 'closed').length);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** `caller` dials `callee`, who answers; resolves once media flows at both ends. */
export async function callAndAnswer(caller: AppUser, callee: AppUser): Promise<void> {
  await caller.dial(callee.handle);
  await callee.incomingFrom(caller.handle).waitFor();
  await callee.accept();
  await Promise.all([caller.callTimer.waitFor({ timeout: 20_000 }), callee.callTimer.waitFor({ timeout: 20_000 })]);
}

/** `hangsUp` ends the call; both read the reason and dismiss it. */
export async function hangUpAndDismiss(hangsUp: AppUser, other: AppUser): Promise<void> {
  await hangsUp.hangUp();
  await Promise.all([hangsUp.endReason(), other.endReason()]);
  await Promise.all([hangsUp.dismissEnded(), other.dismissEnded()]);
}
