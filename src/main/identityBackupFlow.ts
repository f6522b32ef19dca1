// Identity export and import in the desktop app, as main runs them. Main asks for the passphrase in
// a window of its own (passphraseWindow.ts), picks the file with the system's save and open
// dialogs, and confirms an import in its own dialog; the renderer only starts a flow and learns
// whether it was done or cancelled. The dialogs and the file system are injected, so the flows are
// tested under plain Node; index.ts gives them Electron's.
import { z } from 'zod';
import { BackupFileText, BackupPassphrase, NewBackupPassphrase, type BackupOutcome, type IdentityInfo } from '../shared/bridge';
import { IdentityBackupError } from '../shared/identityBackup';
import type { IdentityVault } from './identityVault';

/** What main's passphrase window asks for: a new passphrase (typed twice) or the one a file was exported with. */
export interface PassphraseRequest {
  kind: 'new' | 'existing';
  title: string;
  message: string;
  /** The label of the button that submits. */
  confirm: string;
}

/** One answer from the passphrase window's page; `repeat` is empty when only one field is shown. */
export const PassphraseAnswer = z.object({ passphrase: z.string().max(4096), repeat: z.string().max(4096) });
export type PassphraseAnswer = z.infer<typeof PassphraseAnswer>;

export interface BackupDialogs {
  /**
   * Opens main's passphrase window. Each answer goes to `accept`, which returns a problem to show
   * there (the window stays for another try) or null (the window closes). Resolves true once an
   * answer was accepted, false when the user cancelled or closed the window. When `accept` throws,
   * the window closes and the promise rejects with that error.
   */
  askPassphrase(request: PassphraseRequest, accept: (answer: PassphraseAnswer) => Promise<string | null>): Promise<boolean>;
  /** The system's save dialog; null when cancelled. */
  chooseSavePath(defaultName: string): Promise<string | null>;
  /** The system's open dialog for an identity file; null when cancelled. */
  chooseOpenPath(): Promise<string | null>;
  /** Main's own confirmation before an import replaces this device's identity; true to replace. */
  confirmReplace(found: IdentityInfo, current: IdentityInfo): Promise<boolean>;
}

export interface BackupFiles {
  /** Writes the exported file (owner-only where the system has such modes). */
  write(path: string, text: string): Promise<void>;
  /** Reads a file as UTF-8 text, refusing one larger than `maxBytes` without reading it. */
  read(path: string, maxBytes: number): Promise<string>;
}

export interface IdentityBackupFlowOptions {
  identity: Pick<IdentityVault, 'info' | 'exportBackup' | 'checkBackup' | 'importBackup'>;
  dialogs: BackupDialogs;
  files: BackupFiles;
  inCall: () => boolean;
  /** Restarts the app after an import, once the answer has gone back. */
  restartApp: () => void;
}

export const EXPORT_PASSPHRASE_REQUEST: PassphraseRequest = {
  kind: 'new',
  title: 'Export identity',
  message:
    'Choose a passphrase of at least 10 characters for the exported file. Anyone with the file and this passphrase can use your identity; without the passphrase the file cannot be opened.',
  confirm: 'Export',
};

export const IMPORT_PASSPHRASE_REQUEST: PassphraseRequest = {
  kind: 'existing',
  title: 'Import identity',
  message: 'Enter the passphrase the identity file was exported with.',
  confirm: 'Open file',
};

/** The largest identity file read: BackupFileText's bound in UTF-8 bytes. */
const MAX_FILE_BYTES = 16_384 * 4;

const IN_CALL = 'Finish the call before importing an identity.';

function firstIssue(result: { success: true } | { success: false; error: { issues: { message: string }[] } }): string | null {
  return result.success ? null : (result.error.issues[0]?.message ?? 'not valid');
}

/** Checks a new passphrase as typed twice in main's window: the problem to show, or null. */
export function newPassphraseProblem(answer: PassphraseAnswer): string | null {
  const issue = firstIssue(NewBackupPassphrase.safeParse(answer.passphrase));
  if (issue) return `${issue.charAt(0).toUpperCase()}${issue.slice(1)}.`;
  return answer.passphrase === answer.repeat ? null : 'The two passphrases differ.';
}

/** Export: a new passphrase in main's window, then where to save, then the file. */
export async function exportIdentity(options: IdentityBackupFlowOptions): Promise<BackupOutcome> {
  const chosen: { passphrase: string | null } = { passphrase: null };
  const accepted = await options.dialogs.askPassphrase(EXPORT_PASSPHRASE_REQUEST, async (answer) => {
    const problem = newPassphraseProblem(answer);
    if (problem === null) chosen.passphrase = answer.passphrase;
    return problem;
  });
  if (!accepted || chosen.passphrase === null) return 'cancelled';
  const { fileName, contents } = await options.identity.exportBackup(chosen.passphrase);
  const path = await options.dialogs.chooseSavePath(fileName);
  if (path === null) return 'cancelled';
  await options.files.write(path, contents);
  return 'done';
}

/**
 * Import: the file from the open dialog, its passphrase in main's window (a wrong one can be typed
 * again), then main's confirmation naming both identities, then the replacement and a restart.
 * Refused during a call, before anything is asked and again before anything is replaced.
 */
export async function importIdentity(options: IdentityBackupFlowOptions): Promise<BackupOutcome> {
  if (options.inCall()) throw new Error(IN_CALL);
  const path = await options.dialogs.chooseOpenPath();
  if (path === null) return 'cancelled';
  const text = await options.files.read(path, MAX_FILE_BYTES);
  const fileIssue = firstIssue(BackupFileText.safeParse(text));
  if (fileIssue) throw new Error(`Not imported: ${fileIssue}.`);

  const opened: { value: { found: IdentityInfo; passphrase: string } | null } = { value: null };
  const accepted = await options.dialogs.askPassphrase(IMPORT_PASSPHRASE_REQUEST, async ({ passphrase }) => {
    const issue = firstIssue(BackupPassphrase.safeParse(passphrase));
    if (issue) return `${issue.charAt(0).toUpperCase()}${issue.slice(1)}.`;
    try {
      opened.value = { found: await options.identity.checkBackup(text, passphrase), passphrase };
      return null;
    } catch (error) {
      // A mistyped passphrase can be tried again; a file that is not a backup, or was changed, cannot.
      if (error instanceof IdentityBackupError && error.problem === 'wrong-passphrase') return error.message;
      throw error;
    }
  });
  const chosen = opened.value;
  if (!accepted || chosen === null) return 'cancelled';
  if (!(await options.dialogs.confirmReplace(chosen.found, options.identity.info()))) return 'cancelled';
  if (options.inCall()) throw new Error(IN_CALL);
  await options.identity.importBackup(text, chosen.passphrase);
  options.restartApp();
  return 'done';
}
