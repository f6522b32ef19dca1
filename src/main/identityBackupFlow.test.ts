import { describe, expect, it, vi } from 'vitest';
import type { IdentityInfo } from '../shared/bridge';
import { IdentityBackupError } from '../shared/identityBackup';
import {
  exportIdentity,
  importIdentity,
  newPassphraseProblem,
  type BackupDialogs,
  type IdentityBackupFlowOptions,
  type PassphraseAnswer,
} from './identityBackupFlow';

const CURRENT: IdentityInfo = { publicKey: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8', handle: 'alice', fingerprint: 'aaaa bbbb' };
const FOUND: IdentityInfo = { publicKey: 'ZZECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8', handle: 'bob', fingerprint: 'cccc dddd' };
const GOOD = 'correct horse battery';

/** The user at main's dialogs: types each answer in turn (null = Cancel), then picks a path and confirms. */
function user(answers: (PassphraseAnswer | null)[], choices: { savePath?: string | null; openPath?: string | null; confirm?: boolean } = {}) {
  const problemsShown: string[] = [];
  const dialogs: BackupDialogs = {
    askPassphrase: vi.fn(async (_request, accept) => {
      for (const answer of answers) {
        if (answer === null) return false;
        const problem = await accept(answer);
        if (problem === null) return true;
        problemsShown.push(problem);
      }
      return false;
    }),
    chooseSavePath: vi.fn(async () => (choices.savePath === undefined ? '/home/alice/identity.json' : choices.savePath)),
    chooseOpenPath: vi.fn(async () => (choices.openPath === undefined ? '/home/alice/identity.json' : choices.openPath)),
    confirmReplace: vi.fn(async () => choices.confirm ?? true),
  };
  return { dialogs, problemsShown };
}

function setup(dialogs: BackupDialogs, inCall = false) {
  const identity = {
    info: vi.fn(() => CURRENT),
    exportBackup: vi.fn(async () => ({ fileName: 'softphone-identity-alice.json', contents: '{"sealed":"…"}' })),
    checkBackup: vi.fn(async (_text: string, passphrase: string) => {
      if (passphrase !== GOOD) throw new IdentityBackupError('wrong-passphrase', 'The passphrase is wrong: it does not open this identity file.');
      return FOUND;
    }),
    importBackup: vi.fn(async () => FOUND),
  };
  const files = { write: vi.fn(async () => undefined), read: vi.fn(async () => '{"format":"softphone-identity-backup"}') };
  const restartApp = vi.fn();
  const options: IdentityBackupFlowOptions = { identity, dialogs, files, inCall: () => inCall, restartApp };
  return { options, identity, files, restartApp };
}

describe('newPassphraseProblem', () => {
  it('asks for 10 characters, typed the same twice', () => {
    expect(newPassphraseProblem({ passphrase: 'short', repeat: 'short' })).toBe('Choose a passphrase of at least 10 characters.');
    expect(newPassphraseProblem({ passphrase: GOOD, repeat: `${GOOD}!` })).toBe('The two passphrases differ.');
    expect(newPassphraseProblem({ passphrase: 'x'.repeat(1025), repeat: 'x'.repeat(1025) })).toBe('The passphrase is too long.');
    expect(newPassphraseProblem({ passphrase: GOOD, repeat: GOOD })).toBeNull();
  });
});

describe('export in main', () => {
  it('takes the passphrase from main’s window (again after a mistake), then saves where the user chose', async () => {
    const { dialogs, problemsShown } = user([
      { passphrase: GOOD, repeat: 'something else' },
      { passphrase: GOOD, repeat: GOOD },
    ]);
    const { options, identity, files } = setup(dialogs);
    expect(await exportIdentity(options)).toBe('done');
    expect(problemsShown).toEqual(['The two passphrases differ.']);
    expect(identity.exportBackup).toHaveBeenCalledWith(GOOD);
    expect(dialogs.chooseSavePath).toHaveBeenCalledWith('softphone-identity-alice.json');
    expect(files.write).toHaveBeenCalledWith('/home/alice/identity.json', '{"sealed":"…"}');
  });

  it('is cancelled, with nothing exported or written, from the passphrase window or the save dialog', async () => {
    const atPassphrase = setup(user([null]).dialogs);
    expect(await exportIdentity(atPassphrase.options)).toBe('cancelled');
    expect(atPassphrase.identity.exportBackup).not.toHaveBeenCalled();

    const atSave = setup(user([{ passphrase: GOOD, repeat: GOOD }], { savePath: null }).dialogs);
    expect(await exportIdentity(atSave.options)).toBe('cancelled');
    expect(atSave.files.write).not.toHaveBeenCalled();
  });
});

describe('import in main', () => {
  it('opens the chosen file with the passphrase typed in main’s window, confirms in main, replaces and restarts', async () => {
    const { dialogs, problemsShown } = user([
      { passphrase: 'wrong passphrase', repeat: '' },
      { passphrase: GOOD, repeat: '' },
    ]);
    const { options, identity, files, restartApp } = setup(dialogs);
    expect(await importIdentity(options)).toBe('done');
    expect(files.read).toHaveBeenCalledWith('/home/alice/identity.json', expect.any(Number));
    expect(problemsShown).toEqual(['The passphrase is wrong: it does not open this identity file.']);
    expect(dialogs.confirmReplace).toHaveBeenCalledWith(FOUND, CURRENT);
    expect(identity.importBackup).toHaveBeenCalledWith('{"format":"softphone-identity-backup"}', GOOD);
    expect(restartApp).toHaveBeenCalled();
  });

  it('replaces nothing when the user cancels at any step', async () => {
    for (const [answers, choices] of [
      [[{ passphrase: GOOD, repeat: '' }], { openPath: null }],
      [[null], {}],
      [[{ passphrase: GOOD, repeat: '' }], { confirm: false }],
    ] as const) {
      const { options, identity, restartApp } = setup(user([...answers], choices).dialogs);
      expect(await importIdentity(options)).toBe('cancelled');
      expect(identity.importBackup).not.toHaveBeenCalled();
      expect(restartApp).not.toHaveBeenCalled();
    }
  });

  it('fails with the reason, replacing nothing, for a changed file, an empty file or during a call', async () => {
    const tampered = setup(user([{ passphrase: GOOD, repeat: '' }]).dialogs);
    tampered.identity.checkBackup.mockRejectedValueOnce(
      new IdentityBackupError('tampered', 'The identity file was changed after it was exported, so it cannot be trusted or imported.'),
    );
    await expect(importIdentity(tampered.options)).rejects.toThrow('The identity file was changed after it was exported');
    expect(tampered.identity.importBackup).not.toHaveBeenCalled();

    const empty = setup(user([]).dialogs);
    empty.files.read.mockResolvedValueOnce('');
    await expect(importIdentity(empty.options)).rejects.toThrow('Not imported: the file is empty.');
    expect(empty.options.dialogs.askPassphrase).not.toHaveBeenCalled();

    const inCall = setup(user([{ passphrase: GOOD, repeat: '' }]).dialogs, true);
    await expect(importIdentity(inCall.options)).rejects.toThrow('Finish the call before importing an identity.');
    expect(inCall.options.dialogs.chooseOpenPath).not.toHaveBeenCalled();
  });
});
