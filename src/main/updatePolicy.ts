// When the desktop app checks for, downloads and installs an update (electron-updater does the
// work and verifies each download: the SHA-512 from the release's latest*.yml, and on Windows the
// installer's publisher signature). Pure: main's glue in index.ts asks `updateDecision` each time
// something changes (a timer, a call starting or ending, the setting, a download finishing) and
// does what it answers. Never during a call: no download competes with the call for bandwidth and
// no restart cuts it off.

/** First check this long after start, so the app and any call it opens come first. */
export const FIRST_CHECK_DELAY_MS = 60_000;
/** Then check this often while the app runs. */
export const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;
/**
 * An update downloaded this long ago is installed without waiting for a quit, when no call is on and
 * the window is not shown: an app that lives in the tray and never quits still gets its updates.
 */
export const INSTALL_UNATTENDED_AFTER_MS = 24 * 60 * 60 * 1000;

export interface UpdateConditions {
  /** False in development (an unpackaged run has no release to update from). */
  packaged: boolean;
  /** The user's automatic-updates setting. */
  automaticUpdates: boolean;
  inCall: boolean;
  windowVisible: boolean;
  now: number;
  startedAt: number;
  /** When the last check was started, or null for none yet. */
  lastCheckAt: number | null;
  /** The release found by the last check and not yet downloaded, or null. */
  available: string | null;
  /** When an update finished downloading (verified), or null for none. */
  downloadedAt: number | null;
}

export interface UpdateDecision {
  check: boolean;
  download: boolean;
  /** Restart into the downloaded update now. */
  installNow: boolean;
  /** Let electron-updater install the downloaded update when the app quits. */
  installAtQuit: boolean;
  /** Why nothing happens at all, for the log; null when updates are on. */
  off: string | null;
}

const NOTHING = { check: false, download: false, installNow: false, installAtQuit: false };

export function updateDecision(c: UpdateConditions): UpdateDecision {
  if (!c.packaged) return { ...NOTHING, off: 'not a packaged app (development run)' };
  if (!c.automaticUpdates) return { ...NOTHING, off: 'automatic updates are turned off in Settings' };
  const downloaded = c.downloadedAt !== null;
  const checkDue = c.lastCheckAt === null ? c.now - c.startedAt >= FIRST_CHECK_DELAY_MS : c.now - c.lastCheckAt >= CHECK_INTERVAL_MS;
  return {
    check: !downloaded && c.available === null && checkDue,
    download: !downloaded && c.available !== null && !c.inCall,
    installNow: downloaded && !c.inCall && !c.windowVisible && c.now - (c.downloadedAt ?? c.now) >= INSTALL_UNATTENDED_AFTER_MS,
    installAtQuit: downloaded,
    off: null,
  };
}
