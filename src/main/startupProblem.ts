// What the user is told when a sealed store cannot be opened at start. An unreadable file was
// already kept aside, so the user may quit (and recover it) or start afresh; a locked secret store
// leaves the file alone and the app cannot continue.
import { SecretStoreLockedError, StoreUnreadableError } from './sealedFile';

export type StartupProblem =
  { kind: 'choice'; message: string; detail: string; buttons: [quit: string, startAfresh: string] } | { kind: 'fatal'; message: string };

/** How to present `error` from opening a store; null when it is not a store problem (a bug: rethrow). */
export function describeStartupProblem(error: unknown, startAfresh: string): StartupProblem | null {
  if (error instanceof StoreUnreadableError) {
    return {
      kind: 'choice',
      message: error.message,
      detail: 'Quit to restore the file from a backup, or continue and Softphone will start without it. ' + 'The kept file is not read again.',
      buttons: ['Quit', startAfresh],
    };
  }
  if (error instanceof SecretStoreLockedError) return { kind: 'fatal', message: error.message };
  return null;
}
