// Debian's Chromium under Playwright, set up to run headless as root:
// fake media devices, no background networking, every host name unresolvable but 127.0.0.1.
// Chromium keeps only the last --disable-features switch and Playwright passes its own list first,
// so Chromium is started through a small wrapper that merges them all into one.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // Real host addresses in ICE candidates instead of mDNS names Janus ignores.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export interface ChromiumOptions {
  /** A WAV file Chromium's fake microphone plays, looped. */
  readonly fakeAudioCapture?: string;
  readonly extraArgs?: readonly string[];
  readonly executable?: string;
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  /** Closes the browser and deletes its profile and wrapper; safe to call twice. */
  close(): Promise<void>;
}

/** The wrapper: collects every --disable-features= value into one switch, then runs Chromium. */
export function chromiumWrapperScript(executable: string): string {
  return `#!/bin/sh
features=""
for arg do
  shift
  case "$arg" in
    --disable-features=*) features="\${features:+$features,}\${arg#--disable-features=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
if [ -n "$features" ]; then set -- "$@" "--disable-features=$features"; fi
exec '${executable.replaceAll("'", "'\\''")}' "$@"
`;
}

/** Launches Chromium with a fresh profile; one context, as many pages as a test needs. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedChromium> {
  const workDir = await mkdtemp(join(tmpdir(), 'softphone-chromium-'));
  const wrapper = join(workDir, 'chromium');
  await writeFile(wrapper, chromiumWrapperScript(options.executable ?? CHROMIUM_EXECUTABLE));
  await chmod(wrapper, 0o755);
  const args = [
    ...CHROMIUM_FLAGS,
    ...(options.fakeAudioCapture ? [`--use-file-for-fake-audio-capture=${options.fakeAudioCapture}`] : []),
    ...(options.extraArgs ?? []),
  ];
  let context: BrowserContext;
  try {
    // A persistent context is how Playwright takes an explicit, fresh --user-data-dir.
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), { executablePath: wrapper, headless: true, args });
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    context,
    close: () => {
      closing ??= context.close().finally(() => rm(workDir, { recursive: true, force: true }));
      return closing;
    },
  };
}
