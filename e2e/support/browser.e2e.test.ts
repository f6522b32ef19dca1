// The Chromium launcher other end-to-end tests rely on: the wrapper must leave Chromium exactly
// one --disable-features switch holding Playwright's list and ours.
import { execFile } from 'node:child_process';
import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_EXECUTABLE, chromiumWrapperScript, launchChromium } from './browser';

const run = promisify(execFile);
// Chromium runs only inside the testbed, whose client namespace has no way out but to the test host.
const launchSkipReason = !process.env.SOFTPHONE_TESTBED
  ? 'SOFTPHONE_TESTBED is unset: run through `npx tsx scripts/testbed.ts run -- ...`'
  : await access(CHROMIUM_EXECUTABLE).then(
      () => undefined,
      () => `${CHROMIUM_EXECUTABLE} is not installed`,
    );
if (launchSkipReason) console.warn(`Chromium launch test skipped: ${launchSkipReason}`);

describe('chromiumWrapperScript', () => {
  it('merges every --disable-features into one, last, and keeps the other arguments as they were', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'chromium-wrapper-test-'));
    try {
      const printArgs = join(workDir, 'print args');
      await writeFile(printArgs, '#!/bin/sh\nfor arg do printf "%s\\n" "$arg"; done\n');
      const wrapper = join(workDir, 'wrapper');
      await writeFile(wrapper, chromiumWrapperScript(printArgs));
      await Promise.all([chmod(printArgs, 0o755), chmod(wrapper, 0o755)]);
      const { stdout } = await run(wrapper, ['--disable-features=A,B', '--flag=with space', '--disable-features=C', 'about:blank']);
      expect(stdout.split('\n').filter(Boolean)).toEqual(['--flag=with space', 'about:blank', '--disable-features=A,B,C']);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

describe('launchChromium', () => {
  it('starts Chromium with one merged --disable-features and a fresh profile, and cleans up', async (context) => {
    if (launchSkipReason) context.skip(launchSkipReason);
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      await page.goto('chrome://version');
      const commandLine = (await page.locator('#command_line').textContent()) ?? '';
      const switches = commandLine.split(' ').filter((part) => part.startsWith('--disable-features='));
      expect(switches).toHaveLength(1);
      expect(switches[0]).toContain('WebRtcHideLocalIpsWithMdns');
      expect(commandLine).toContain('--use-fake-device-for-media-stream');
      expect(commandLine).toMatch(/--user-data-dir=\S*softphone-chromium-/);
    } finally {
      await chromium.close();
      await chromium.close();
    }
  });
});
