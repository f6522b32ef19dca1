// What main does for each channel of the bridge: identity and settings from their stores, and
// everything about a call's security delegated to the call security engine
// (src/shared/e2ee/callSecurity.ts), plus the call's frame-key port.
import type { BackupOutcome, IdentityAtRest } from '../shared/bridge';
import type { CallHistory } from '../shared/contacts/callHistory';
import type { ContactBook } from '../shared/contacts/contactBook';
import type { CallSecurity } from '../shared/e2ee/callSecurity';
import type { DesktopShell } from './desktopShell';
import { exportIdentity, importIdentity, type BackupDialogs, type BackupFiles } from './identityBackupFlow';
import type { IdentityVault } from './identityVault';
import type { BridgeHandlers } from './ipc';
import type { KeyPortRecipient, KeyPortRegistry } from './keyPorts';
import type { MediaAccess } from './mediaAccess';
import type { ScreenSharePicker } from './screenShare';
import type { SettingsStore } from './settingsStore';

/** The call security engine as main uses it. */
export type CallSecurityEngine = Pick<
  CallSecurity,
  'signLogin' | 'checkInvite' | 'prepare' | 'begin' | 'receive' | 'markVerified' | 'end' | 'activeCall' | 'authorizeCapture'
>;

export interface BridgeHandlerDependencies<P> {
  identity: Pick<IdentityVault, 'info' | 'setHandle' | 'exportBackup' | 'checkBackup' | 'importBackup'>;
  settings: Pick<SettingsStore, 'state' | 'update'>;
  security: CallSecurityEngine;
  contacts: Pick<ContactBook, 'list' | 'add' | 'remove' | 'setFavourite' | 'acceptChangedKey'>;
  history: Pick<CallHistory, 'list' | 'record' | 'markAllSeen'>;
  keyPorts: Pick<KeyPortRegistry<P>, 'open' | 'close'>;
  desktop: Pick<DesktopShell<unknown>, 'setStatus'>;
  mediaAccess: Pick<MediaAccess, 'setPreview'>;
  screenShare: Pick<ScreenSharePicker<{ id: string; name: string }>, 'sources' | 'choose' | 'forget'>;
  /** Restarts the app after an identity import, once the answer has gone back. */
  restartApp: () => void;
  /** How the stores are sealed on this system (atRest.ts). */
  atRest: () => IdentityAtRest;
  /** Main's own passphrase window and the system's file dialogs, for identity export and import. */
  backupDialogs: BackupDialogs;
  backupFiles: BackupFiles;
  /** Protects the stores with a passphrase chosen in main's window, then restarts (passphraseProtection.ts). */
  protectWithPassphrase: () => Promise<BackupOutcome>;
}

/** `E` is the invoke event; its `sender` (the app window) receives each call's key port. */
export function createBridgeHandlers<P, E extends { sender: KeyPortRecipient<P> }>(deps: BridgeHandlerDependencies<P>): BridgeHandlers<E> {
  const { identity, settings, security, contacts, history, keyPorts } = deps;
  const backupFlow = {
    identity,
    dialogs: deps.backupDialogs,
    files: deps.backupFiles,
    inCall: () => security.activeCall() !== null,
    restartApp: deps.restartApp,
  };
  let backupOpen = false;
  const oneBackupAtATime = async <T>(flow: () => Promise<T>): Promise<T> => {
    if (backupOpen) throw new Error('An identity export, import or passphrase window is already open.');
    backupOpen = true;
    try {
      return await flow();
    } finally {
      backupOpen = false;
    }
  };
  return {
    'identity.get': () => identity.info(),
    'identity.atRest': () => deps.atRest(),
    'identity.setHandle': ([handle]) => identity.setHandle(handle),
    'identity.signLogin': ([challenge]) => security.signLogin(challenge),
    // One backup flow at a time: a second request while main's windows are open is refused.
    'identity.exportBackup': () => oneBackupAtATime(() => exportIdentity(backupFlow)),
    'identity.importBackup': () => oneBackupAtATime(() => importIdentity(backupFlow)),
    'identity.protectWithPassphrase': () => oneBackupAtATime(() => deps.protectWithPassphrase()),
    'settings.get': () => settings.state(),
    'settings.update': ([patch]) => settings.update(patch),
    'app.status': ([status]) => {
      deps.desktop.setStatus(status);
      return null;
    },
    'devices.preview': ([on]) => {
      deps.mediaAccess.setPreview(on);
      return null;
    },
    'call.prepare': async ([args], event) => {
      const prepared = await security.prepare(args);
      // The engine holds one call at a time and wipes the previous one here; opening the call's
      // key port closes any earlier one the same way.
      keyPorts.open(args.callId, event.sender);
      return prepared;
    },
    'call.checkInvite': ([args]) => security.checkInvite(args),
    'e2ee.begin': ([args]) => security.begin(args),
    'e2ee.receive': ([args]) => security.receive(args),
    'contacts.markVerified': ([{ handle, publicKey }]) => security.markVerified(handle, publicKey),
    'capture.authorize': ([request]) => security.authorizeCapture(request),
    'contacts.list': () => contacts.list(),
    'contacts.add': ([{ handle, publicKey }]) => contacts.add(handle, publicKey),
    'contacts.remove': async ([{ handle }]) => {
      await contacts.remove(handle);
      return null;
    },
    'contacts.setFavourite': ([{ handle, favourite }]) => contacts.setFavourite(handle, favourite),
    'contacts.acceptKey': ([{ handle }]) => contacts.acceptChangedKey(handle),
    'history.list': () => history.list(),
    'history.record': async ([entry]) => {
      await history.record(entry);
      return null;
    },
    'history.markSeen': async () => {
      await history.markAllSeen();
      return null;
    },
    'screenShare.sources': () => deps.screenShare.sources(),
    'screenShare.choose': ([{ id }]) => {
      deps.screenShare.choose(id);
      return null;
    },
    'call.end': ([{ callId }]) => {
      security.end(callId);
      keyPorts.close(callId);
      deps.screenShare.forget();
      return null;
    },
  };
}

/**
 * Whether the renderer may use the microphone and camera now: from `call.prepare` until `call.end`,
 * unless end-to-end encryption failed (the call is being torn down).
 */
export function callNeedsMedia(security: Pick<CallSecurityEngine, 'activeCall'>): boolean {
  const call = security.activeCall();
  return call !== null && call.e2ee !== 'failed';
}
