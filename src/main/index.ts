// The Electron main process: thin glue that wires the stores, the call security engine, the IPC
// bridge, the app:// protocol and the secure window together. The decisions live in the modules
// it imports, each tested under plain Node. Built to CommonJS (dist/main/index.cjs): __dirname is
// the dist/main folder, next to dist/preload, dist/renderer and dist/assets.
import {
  app,
  BrowserWindow,
  desktopCapturer,
  dialog,
  globalShortcut,
  ipcMain,
  Menu,
  MessageChannelMain,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import { autoUpdater } from 'electron-updater';
import { join, resolve } from 'node:path';
import { DEFAULT_SERVER_URL } from '../shared/bridge';
import { unencryptedServerProblem } from '../shared/settings';
import { CallSecurity } from '../shared/e2ee/callSecurity';
import { seedSigner } from '../shared/crypto/identitySigner';
import { APP_SCHEME } from '../shared/desktop/appOrigin';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './appProtocol';
import { AutomaticUpdates } from './automaticUpdates';
import { callNeedsMedia, createBridgeHandlers } from './bridgeHandlers';
import { openCallHistory, openContactBook } from './contactStores';
import { DEEP_LINK_SCHEME, deepLinkInArguments, parseDeepLink } from './deepLink';
import { DesktopShell } from './desktopShell';
import { APP_ID, IDLE_STATUS } from './desktopStatus';
import { HostEventOutbox } from './hostEvents';
import { IdentityVault } from './identityVault';
import { isAppMainFrame, registerBridgeHandlers } from './ipc';
import { KeyPortRegistry } from './keyPorts';
import { atRestProtection } from './atRest';
import { MediaAccess } from './mediaAccess';
import { ScreenSharePicker } from './screenShare';
import { diskBackupFiles, electronBackupDialogs } from './passphraseWindow';
import { QuitGate } from './quitGate';
import { protectWithPassphrase, unlockStores } from './passphraseProtection';
import { PassphraseStoreError } from './passphraseStore';
import { protectionFromEnvironment, type SecretProtection } from './sealedFile';
import { cspFor, guardSession, guardWebContents, openExternalSafely } from './security';
import { SettingsStore } from './settingsStore';
import { describeStartupProblem } from './startupProblem';
import { createMainWindow } from './window';
import { WINDOW_STATE_FILE } from './windowState';

const RENDERER_DIR = join(__dirname, '..', 'renderer');
/** How often main looks at whether an update step is due (the policy decides what, if anything). */
const UPDATE_REVIEW_INTERVAL_MS = 60_000;
const PRELOAD_PATH = join(__dirname, '..', 'preload', 'index.cjs');
const PASSPHRASE_PRELOAD_PATH = join(__dirname, '..', 'preload', 'passphrase.cjs');
const ASSETS_DIR = join(__dirname, '..', 'assets');
/** The picker's thumbnails of screens and windows (16:9, small enough for a list). */
const SCREEN_THUMBNAIL_SIZE = { width: 320, height: 180 };

// Before anything reads userData: the single-instance lock, the stores and Chromium's profile all
// live there, so two instances with different folders (as the end-to-end tests run) stay apart.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch) app.setPath('userData', resolve(userDataSwitch));

app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const hostEvents = new HostEventOutbox();
const quitGate = new QuitGate();
let mainWindow: BrowserWindow | null = null;
/** Set once the app window is made; before it only the passphrase window may be open. */
let appWindowOpened = false;

/** Brings the window forward and has the app ask whether to call (it never dials by itself). */
function openDeepLink(link: string): void {
  const event = parseDeepLink(link);
  if (!event) return;
  showMainWindow();
  hostEvents.send(event);
}

function showMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Opens a sealed store; when it cannot be read, asks the user whether to quit or start afresh. */
async function openStore<T>(open: () => Promise<T>, startAfresh: string): Promise<T | null> {
  try {
    return await open();
  } catch (error) {
    const problem = describeStartupProblem(error, startAfresh);
    if (!problem) throw error;
    if (problem.kind === 'fatal') {
      dialog.showErrorBox('Softphone cannot start', problem.message);
      return null;
    }
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: 'Softphone',
      message: problem.message,
      detail: problem.detail,
      buttons: problem.buttons,
      defaultId: 0,
      cancelId: 0,
    });
    // The unreadable file was kept aside, so opening again starts from nothing.
    return response === 1 ? open() : null;
  }
}

async function start(): Promise<void> {
  await app.whenReady();
  const dir = app.getPath('userData');
  const fromEnvironment = protectionFromEnvironment(process.env, safeStorage, (message) => console.error(message));
  const backupDialogs = electronBackupDialogs({ BrowserWindow, dialog, parent: () => mainWindow, preloadPath: PASSPHRASE_PRELOAD_PATH });
  // A passphrase chosen for the stores (no key store on this system) is asked for before any opens.
  let protection: SecretProtection | null;
  try {
    protection = fromEnvironment.kind === 'insecure-plaintext' ? fromEnvironment : await unlockStores({ dir, storage: safeStorage, dialogs: backupDialogs });
  } catch (error) {
    if (!(error instanceof PassphraseStoreError)) throw error;
    dialog.showErrorBox('Softphone cannot start', error.message);
    protection = null;
  }
  if (!protection) {
    app.quit();
    return;
  }

  const settings = await SettingsStore.open({ dir, fallbackServerUrl: DEFAULT_SERVER_URL });
  const identity = await openStore(() => IdentityVault.open({ dir, protection }), 'Create a New Identity');
  const contacts = identity && (await openStore(() => openContactBook({ dir, protection }), 'Continue Without Pinned Contacts'));
  const history = contacts && (await openStore(() => openCallHistory({ dir, protection }), 'Continue With an Empty Call History'));
  if (!identity || !contacts || !history) {
    app.quit();
    return;
  }

  const keyPorts = new KeyPortRegistry(() => new MessageChannelMain());
  const identitySeed = identity.identitySeed();
  const security = new CallSecurity({
    identity: seedSigner(identitySeed),
    getSettings: () => settings.current(),
    trust: contacts,
    deliverKeys: (keys) => keyPorts.deliver(keys),
    knownCall: (callId) => history.list().some((entry) => entry.callId === callId),
  });
  identitySeed.fill(0);
  // An unconfirmed plain ws:// address to another machine gets no network at all.
  const serverUrl = () => {
    const url = settings.serverUrl();
    return unencryptedServerProblem(url, settings.current().unencryptedServerConfirmed) ? null : url;
  };

  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: RENDERER_DIR, contentSecurityPolicy: () => cspFor(serverUrl()) }));
  const mediaAccess = new MediaAccess(() => callNeedsMedia(security));
  const screenShare = new ScreenSharePicker({
    list: () => desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: SCREEN_THUMBNAIL_SIZE }),
    thumbnail: (source) => source.thumbnail.toDataURL(),
    callActive: () => callNeedsMedia(security),
    now: () => Date.now(),
  });
  guardSession(session.defaultSession, { mediaWanted: () => mediaAccess.wanted(), serverUrl, screenShare });
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, (url) => openExternalSafely(url, shell)));
  // Windows shows notifications only for an app with this id (the installer registers the same).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // Held for the whole run: a tray icon nobody references is garbage-collected and disappears.
  const desktop = new DesktopShell({
    createTray: (icon) => new Tray(icon),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    createNotification: Notification.isSupported() ? (options) => new Notification(options) : null,
    shortcuts: globalShortcut,
    trayIconPath: (file) => join(ASSETS_DIR, file),
    showWindow: showMainWindow,
    windowFocused: () => mainWindow?.isFocused() ?? false,
    notificationsOn: () => settings.current().notifications,
    sendHostEvent: (event) => hostEvents.send(event),
    quit: () => app.quit(),
    warn: (message) => console.warn(message),
  });
  // Quitting waits for the window placement to be written; the tray goes when it really quits.
  app.on('will-quit', (event) => {
    if (!quitGate.hold(event, () => app.quit())) desktop.dispose();
  });
  // After an identity import every part of main must use the new key: start afresh.
  const restartApp = () =>
    setTimeout(() => {
      app.relaunch();
      app.quit();
    }, 500);
  const handlers = createBridgeHandlers({
    identity,
    settings,
    security,
    contacts,
    history,
    keyPorts,
    desktop,
    mediaAccess,
    screenShare,
    restartApp,
    backupDialogs,
    backupFiles: diskBackupFiles,
    atRest: () => atRestProtection(protection, process.platform, safeStorage),
    protectWithPassphrase: () =>
      protectWithPassphrase(protection, { dir, storage: safeStorage, dialogs: backupDialogs, inCall: () => security.activeCall() !== null, restartApp }),
  });
  registerBridgeHandlers(ipcMain, handlers, (event) => isAppMainFrame(event.senderFrame));

  const endCallInProgress = () => {
    const call = security.activeCall();
    if (call) security.end(call.callId);
    keyPorts.closeAll();
    mediaAccess.setPreview(false);
    screenShare.forget();
    desktop.setStatus(IDLE_STATUS);
  };

  settings.onChange((next, previous) => {
    if (app.isPackaged && next.startAtLogin !== previous.startAtLogin) app.setLoginItemSettings({ openAtLogin: next.startAtLogin });
    // The page's CSP names the signaling server; a new server takes a fresh load.
    if (next.serverUrl !== previous.serverUrl || next.unencryptedServerConfirmed !== previous.unencryptedServerConfirmed) mainWindow?.webContents.reload();
  });
  // Updates from the GitHub release feed (electron-builder.yml `publish`). electron-updater checks
  // each download's SHA-512 against the release's latest*.yml and, on Windows, the installer's
  // publisher signature; updatePolicy.ts decides when (never during a call, not when turned off).
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  const updates = new AutomaticUpdates(
    {
      check: async () => void (await autoUpdater.checkForUpdates()),
      download: async () => void (await autoUpdater.downloadUpdate()),
      setInstallAtQuit: (on) => (autoUpdater.autoInstallOnAppQuit = on),
      installNow: () => autoUpdater.quitAndInstall(true, true),
    },
    () => ({
      packaged: app.isPackaged,
      automaticUpdates: settings.current().automaticUpdates,
      inCall: security.activeCall() !== null,
      windowVisible: mainWindow?.isVisible() ?? false,
    }),
    (message) => console.warn(`updates: ${message}`),
  );
  autoUpdater.on('update-available', (info) => updates.found(info.version));
  setInterval(() => updates.review(), UPDATE_REVIEW_INTERVAL_MS);
  settings.onChange(() => updates.review());

  if (app.isPackaged) {
    app.setLoginItemSettings({ openAtLogin: settings.current().startAtLogin });
    app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  }
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);

  appWindowOpened = true;
  mainWindow = await createMainWindow({
    BrowserWindow,
    screen,
    preloadPath: PRELOAD_PATH,
    statePath: join(dir, WINDOW_STATE_FILE),
    devTools: !app.isPackaged,
    trackSave: (saving) => quitGate.track(saving),
  });
  const contents = mainWindow.webContents;
  // A reload or a crashed page has lost its call: end it here too, so media permission and keys go.
  contents.on('did-navigate', endCallInProgress);
  contents.on('render-process-gone', endCallInProgress);
  mainWindow.on('closed', () => {
    endCallInProgress();
    mainWindow = null;
  });
  hostEvents.attach(contents);

  const launchLink = deepLinkInArguments(process.argv);
  if (launchLink) openDeepLink(launchLink);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showMainWindow();
    const link = deepLinkInArguments(argv);
    if (link) openDeepLink(link);
  });
  // macOS delivers links as an event, possibly before the app is ready.
  app.on('open-url', (event, link) => {
    event.preventDefault();
    openDeepLink(link);
  });
  // Closing the last window quits, once the app window has opened: the passphrase window asked for
  // before it (passphraseProtection.ts) closes first and must not end the start.
  app.on('window-all-closed', () => {
    if (appWindowOpened) app.quit();
  });
  start().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error('Softphone could not start:', message);
    dialog.showErrorBox('Softphone could not start', message);
    app.exit(1);
  });
}
