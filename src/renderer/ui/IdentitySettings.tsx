// The identity section of Settings: the handle and the key's fingerprint, export of the identity to
// a passphrase-encrypted file, and import of such a file (after the user confirms the replacement).
// A web client whose key is non-extractable has nothing to export and says so instead.
// In the desktop app both run in main's own windows and dialogs (the passphrase is typed there) and
// this section only starts them and says how they ended. In the web client the page is the host,
// so the forms are here; passphrases stay in their input elements and a ref until used and never
// enter React state.
import { useId, useRef, useState, type FormEvent } from 'react';
import { useSession } from './context';
import { offerDownload } from './offerDownload';
import { hostErrorText } from '../host/hostError';
import { NOT_EXPORTABLE } from '../host/webIdentityBackup';
import { useApp } from '../store/appStore';
import {
  BackupPassphrase,
  NewBackupPassphrase,
  type BackupOutcome,
  type DesktopCalls,
  type IdentityAtRest,
  type IdentityInfo,
  type WebCalls,
} from '../../shared/bridge';

function firstIssue(result: { success: true } | { success: false; error: { issues: { message: string }[] } }): string | null {
  return result.success ? null : (result.error.issues[0]?.message ?? 'not valid');
}

function ExportIdentity({ calls }: { calls: WebCalls }) {
  const passphrase = useRef<HTMLInputElement>(null);
  const repeat = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const passphraseId = useId();
  const repeatId = useId();
  const hintId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = passphrase.current?.value ?? '';
    const problem = firstIssue(NewBackupPassphrase.safeParse(value)) ?? (value !== repeat.current?.value ? 'the two passphrases differ' : null);
    if (problem) return setOutcome({ ok: false, text: `Not exported: ${problem}.` });
    setBusy(true);
    setOutcome(null);
    try {
      const { fileName, contents } = await calls['identity.export']({ passphrase: value });
      offerDownload(new Blob([contents], { type: 'application/json' }), fileName);
      for (const input of [passphrase.current, repeat.current]) if (input) input.value = '';
      setOutcome({ ok: true, text: `Exported as ${fileName}. Keep the file and its passphrase safe: together they are your identity.` });
    } catch (error) {
      setOutcome({ ok: false, text: hostErrorText(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Export identity">
      <p id={hintId} className="hint">
        To use this identity on a new device, export it to a file protected by a passphrase of at least 10 characters, then import the file there.
      </p>
      <label htmlFor={passphraseId}>Passphrase for the exported file</label>
      <input id={passphraseId} ref={passphrase} type="password" autoComplete="new-password" aria-describedby={hintId} />
      <label htmlFor={repeatId}>Repeat the passphrase</label>
      <input id={repeatId} ref={repeat} type="password" autoComplete="new-password" />
      <button type="submit" disabled={busy}>
        {busy ? 'Exporting…' : 'Export identity'}
      </button>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'hint' : 'error'}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}

function ImportIdentity({ calls, current }: { calls: WebCalls; current: IdentityInfo | null }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const passphrase = useRef<HTMLInputElement>(null);
  /** The opened file and its passphrase between checking and confirming: a ref, not state. */
  const pending = useRef<{ file: string; passphrase: string } | null>(null);
  const [found, setFound] = useState<IdentityInfo | null>(null);
  const [phase, setPhase] = useState<'idle' | 'busy' | 'imported'>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const fileId = useId();
  const passphraseId = useId();

  const check = async (event: FormEvent) => {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    const value = passphrase.current?.value ?? '';
    if (!file) return setProblem('Not imported: choose the identity file first.');
    const issue = firstIssue(BackupPassphrase.safeParse(value));
    if (issue) return setProblem(`Not imported: ${issue}.`);
    setPhase('busy');
    setProblem(null);
    try {
      const text = await file.text();
      const identity = await calls['identity.checkImport']({ file: text, passphrase: value });
      pending.current = { file: text, passphrase: value };
      setFound(identity);
    } catch (error) {
      setProblem(hostErrorText(error));
    } finally {
      setPhase('idle');
    }
  };

  const cancel = () => {
    pending.current = null;
    setFound(null);
  };

  const replace = async () => {
    const request = pending.current;
    if (!request) return;
    setPhase('busy');
    setProblem(null);
    try {
      await calls['identity.import'](request);
      setPhase('imported');
    } catch (error) {
      setProblem(hostErrorText(error));
      setPhase('idle');
    } finally {
      pending.current = null;
      setFound(null);
      if (passphrase.current) passphrase.current.value = '';
    }
  };

  return (
    <>
      <form onSubmit={(event) => void check(event)} aria-label="Import identity">
        <p className="hint">Bring in an identity exported on another device. It replaces this device’s identity once you confirm.</p>
        <label htmlFor={fileId}>Identity file</label>
        <input id={fileId} ref={fileInput} type="file" accept=".json,application/json" disabled={found !== null} />
        <label htmlFor={passphraseId}>Passphrase of the identity file</label>
        <input id={passphraseId} ref={passphrase} type="password" autoComplete="off" disabled={found !== null} />
        <button type="submit" disabled={phase !== 'idle' || found !== null}>
          Open identity file
        </button>
      </form>
      {found && (
        <div role="group" aria-label="Confirm identity import" className="confirm">
          <p>
            The file holds the identity of <strong>{found.handle ?? 'an unregistered device'}</strong>, fingerprint <code>{found.fingerprint}</code>. Importing
            it replaces this device’s identity{current?.handle ? ` (${current.handle}, ${current.fingerprint})` : ''}; export that first if you may need it
            again. Softphone then restarts with the imported identity.
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void replace()} disabled={phase !== 'idle'}>
              Replace my identity
            </button>
            {/* The safe choice takes the focus. */}
            <button type="button" onClick={cancel} autoFocus>
              Cancel import
            </button>
          </div>
        </div>
      )}
      {phase === 'imported' && (
        <p role="status" className="hint">
          Identity imported. Softphone is restarting with it…
        </p>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </>
  );
}

const DESKTOP_OUTCOME: Record<'export' | 'import', Record<BackupOutcome, string>> = {
  export: {
    done: 'Identity exported. Keep the file and its passphrase safe: together they are your identity.',
    cancelled: 'Export cancelled: nothing was saved.',
  },
  import: { done: 'Identity imported. Softphone is restarting with it…', cancelled: 'Import cancelled: this device keeps its identity.' },
};

/** The desktop app: main asks for the passphrase, the file and the confirmation in its own windows. */
function DesktopIdentityBackup({ calls }: { calls: DesktopCalls }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (action: 'export' | 'import') => {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await calls[action === 'export' ? 'identity.exportBackup' : 'identity.importBackup']();
      setOutcome({ ok: true, text: DESKTOP_OUTCOME[action][result] });
    } catch (error) {
      setOutcome({ ok: false, text: hostErrorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div role="group" aria-label="Identity backup">
      <p className="hint">
        To use this identity on a new device, export it to a file protected by a passphrase, then import the file there. Softphone asks for the passphrase and
        the file in its own windows, and confirms before an import replaces this device’s identity.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void run('export')} disabled={busy}>
          Export identity…
        </button>
        <button type="button" onClick={() => void run('import')} disabled={busy}>
          Import identity…
        </button>
      </div>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'hint' : 'error'}>
          {outcome.text}
        </p>
      )}
    </div>
  );
}

/** Where the identity key is kept and whether that protects it: a warning when it does not. */
function IdentityAtRestNote({ atRest }: { atRest: IdentityAtRest | null }) {
  const { host } = useSession();
  const shown = atRest ?? { protected: false, description: 'Softphone could not tell how your identity key is protected at rest; treat it as unprotected.' };
  return (
    <>
      <p className={shown.protected ? 'hint' : 'warning'} aria-label="Identity key at rest">
        {shown.description}
      </p>
      {atRest?.passphraseOffered && host.kind === 'electron' && <ProtectWithPassphrase calls={host.calls} />}
    </>
  );
}

const PASSPHRASE_OUTCOME: Record<BackupOutcome, string> = {
  done: 'Protected with your passphrase. Softphone is restarting and will ask for it…',
  cancelled: 'Nothing changed: no passphrase was set.',
};

/** Where the system has no key store: main asks for a passphrase in its own window and seals the stores with it. */
function ProtectWithPassphrase({ calls }: { calls: DesktopCalls }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: PASSPHRASE_OUTCOME[await calls['identity.protectWithPassphrase']()] });
    } catch (error) {
      setOutcome({ ok: false, text: hostErrorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions">
      <button type="button" onClick={() => void run()} disabled={busy}>
        Protect with a passphrase…
      </button>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'hint' : 'error'}>
          {outcome.text}
        </p>
      )}
    </div>
  );
}

export function IdentitySettings() {
  const identity = useApp((s) => s.identity);
  const atRest = useApp((s) => s.identityAtRest);
  const { host } = useSession();
  return (
    <fieldset>
      <legend>Identity</legend>
      <p>
        Handle: <strong>{identity?.handle ?? '—'}</strong>
      </p>
      <p>
        Identity key fingerprint: <code aria-label="Identity key fingerprint">{identity?.fingerprint}</code>
      </p>
      <IdentityAtRestNote atRest={atRest} />
      {host.kind === 'web' ? (
        <>
          {atRest?.exportable === false ? (
            <p className="hint" aria-label="Identity backup">
              {NOT_EXPORTABLE}
            </p>
          ) : (
            <ExportIdentity calls={host.calls} />
          )}
          <ImportIdentity calls={host.calls} current={identity} />
        </>
      ) : (
        <DesktopIdentityBackup calls={host.calls} />
      )}
    </fieldset>
  );
}
