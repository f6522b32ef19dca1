// Main's own passphrase window, for identity export and import (identityBackupFlow.ts): a small
// modal child window, sandboxed and isolated, whose page has no script at all (its CSP allows none)
// and whose own preload (src/preload/passphrase.ts) reads the fields and talks to main on two
// channels of that window's web contents only. The renderer of the app window never sees it.
// The page is built here (pure, tested); the Electron part below is thin glue.
import type { BrowserWindow as ElectronBrowserWindow, BrowserWindowConstructorOptions, Dialog } from 'electron';
import { open, writeFile } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import type { IdentityInfo } from '../shared/bridge';
import { PASSPHRASE_ANSWER_CHANNEL, PASSPHRASE_CANCEL_CHANNEL } from '../shared/desktop/passphrasePrompt';
import { PassphraseAnswer, type BackupDialogs, type BackupFiles, type PassphraseRequest } from './identityBackupFlow';

const STYLE = [
  'body{font:14px system-ui,sans-serif;margin:16px;color:#1d1d1f;background:#fff}',
  'h1{font-size:16px;margin:0 0 8px}',
  'p{margin:0 0 12px;line-height:1.4}',
  'label{display:block;margin:8px 0 4px}',
  'input{width:100%;box-sizing:border-box;padding:6px;font:inherit}',
  '#problem{color:#b00020;min-height:1.4em;margin-top:8px}',
  '.actions{display:flex;gap:8px;justify-content:flex-end;margin-top:12px}',
  'button{font:inherit;padding:6px 14px}',
  ':focus-visible{outline:2px solid #0a64d8;outline-offset:2px}',
].join('');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** The page's CSP: nothing but its one inline style element, by hash; no script, no network, no form target. */
export function passphrasePageCsp(): string {
  const styleHash = Buffer.from(sha256(new TextEncoder().encode(STYLE))).toString('base64');
  return ["default-src 'none'", `style-src 'sha256-${styleHash}'`, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');
}

/** The whole page for one request. Every text in it is escaped. */
export function passphrasePageHtml(request: PassphraseRequest): string {
  const repeat =
    request.kind === 'new'
      ? '<label for="repeat">Repeat the passphrase</label><input id="repeat" type="password" autocomplete="new-password" maxlength="1024" required>'
      : '';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(passphrasePageCsp())}">`,
    `<title>${escapeHtml(request.title)}</title><style>${STYLE}</style></head><body>`,
    `<form id="prompt" aria-labelledby="title"><h1 id="title">${escapeHtml(request.title)}</h1>`,
    `<p id="message">${escapeHtml(request.message)}</p>`,
    `<label for="passphrase">Passphrase</label><input id="passphrase" type="password" autocomplete="${request.kind === 'new' ? 'new-password' : 'off'}" maxlength="1024" required autofocus aria-describedby="message problem">`,
    repeat,
    '<p id="problem" role="alert"></p>',
    `<div class="actions"><button type="button" id="cancel">Cancel</button><button type="submit" id="confirm">${escapeHtml(request.confirm)}</button></div>`,
    '</form></body></html>',
  ].join('');
}

/** The text of main's confirmation before an import replaces this device's identity. */
export function replaceConfirmation(found: IdentityInfo, current: IdentityInfo): { message: string; detail: string } {
  return {
    message: 'Replace this device’s identity?',
    detail:
      `The file holds the identity of ${found.handle ?? 'an unregistered device'}, fingerprint ${found.fingerprint}. ` +
      `Importing it replaces this device’s identity (${current.handle ?? 'unregistered'}, ${current.fingerprint}); export that first if you may need it again. ` +
      'Softphone then restarts with the imported identity.',
  };
}

export interface PassphraseWindowHost {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => ElectronBrowserWindow;
  dialog: Pick<Dialog, 'showSaveDialog' | 'showOpenDialog' | 'showMessageBox'>;
  /** The app window the dialogs belong to, if it is open. */
  parent: () => ElectronBrowserWindow | null;
  /** dist/preload/passphrase.cjs */
  preloadPath: string;
}

function askPassphrase(host: PassphraseWindowHost, request: PassphraseRequest, accept: (answer: PassphraseAnswer) => Promise<string | null>): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const parent = host.parent() ?? undefined;
    const window = new host.BrowserWindow({
      parent,
      modal: parent !== undefined,
      width: 460,
      height: request.kind === 'new' ? 360 : 290,
      resizable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      autoHideMenuBar: true,
      show: false,
      title: request.title,
      webPreferences: {
        preload: host.preloadPath,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
        devTools: false,
        spellcheck: false,
      },
    });
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      settle();
      if (!window.isDestroyed()) window.destroy();
    };
    // Channels of this window's web contents only: no other page can answer for it.
    window.webContents.ipc.handle(PASSPHRASE_ANSWER_CHANNEL, async (_event, raw: unknown) => {
      const answer = PassphraseAnswer.safeParse(raw);
      if (!answer.success) return { problem: 'The passphrase was not understood; type it again.' };
      try {
        const problem = await accept(answer.data);
        if (problem === null) finish(() => resolve(true));
        return { problem };
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
        return { problem: null };
      }
    });
    window.webContents.ipc.on(PASSPHRASE_CANCEL_CHANNEL, () => finish(() => resolve(false)));
    window.on('closed', () => finish(() => resolve(false)));
    window.once('ready-to-show', () => window.show());
    window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(passphrasePageHtml(request))}`).catch((error: unknown) => {
      finish(() => reject(new Error(`The passphrase window did not open: ${error instanceof Error ? error.message : String(error)}`)));
    });
  });
}

/** The backup flows' dialogs in Electron: the passphrase window above and the system's file and message dialogs. */
export function electronBackupDialogs(host: PassphraseWindowHost): BackupDialogs {
  return {
    askPassphrase: (request, accept) => askPassphrase(host, request, accept),
    async chooseSavePath(defaultName) {
      const options = { title: 'Export identity', defaultPath: defaultName, filters: [{ name: 'Identity file', extensions: ['json'] }] };
      const parent = host.parent();
      const result = parent ? await host.dialog.showSaveDialog(parent, options) : await host.dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async chooseOpenPath() {
      const options = { title: 'Import identity', properties: ['openFile' as const], filters: [{ name: 'Identity file', extensions: ['json'] }] };
      const parent = host.parent();
      const result = parent ? await host.dialog.showOpenDialog(parent, options) : await host.dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async confirmReplace(found, current) {
      const text = replaceConfirmation(found, current);
      // The safe choice is the default and what Escape picks.
      const options = {
        type: 'warning' as const,
        title: 'Import identity',
        ...text,
        buttons: ['Cancel', 'Replace My Identity'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      };
      const parent = host.parent();
      const { response } = parent ? await host.dialog.showMessageBox(parent, options) : await host.dialog.showMessageBox(options);
      return response === 1;
    },
  };
}

/** The backup files on disk: written owner-only; read with a size bound checked before reading. */
export const diskBackupFiles: BackupFiles = {
  async write(path, text) {
    await writeFile(path, text, { encoding: 'utf8', mode: 0o600 });
  },
  async read(path, maxBytes) {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size > maxBytes) throw new Error('Not imported: the file is too large to be an identity file.');
      return await file.readFile({ encoding: 'utf8' });
    } finally {
      await file.close();
    }
  },
};
