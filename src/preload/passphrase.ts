// The preload of main's passphrase window (src/main/passphraseWindow.ts). The page has no script;
// this isolated preload reads its fields, sends the answer to main on the window's own channel and
// shows main's reply, and cancels on the Cancel button or Escape. It exposes nothing to the page.
import { ipcRenderer } from 'electron';
import { PASSPHRASE_ANSWER_CHANNEL, PASSPHRASE_CANCEL_CHANNEL } from '../shared/desktop/passphrasePrompt';

window.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('prompt');
  const passphrase = document.getElementById('passphrase');
  const repeat = document.getElementById('repeat');
  const problem = document.getElementById('problem');
  const cancel = document.getElementById('cancel');
  const confirm = document.getElementById('confirm');
  if (!(form instanceof HTMLFormElement) || !(passphrase instanceof HTMLInputElement) || !problem || !cancel || !(confirm instanceof HTMLButtonElement)) return;
  const cancelled = () => ipcRenderer.send(PASSPHRASE_CANCEL_CHANNEL);
  cancel.addEventListener('click', cancelled);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancelled();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    confirm.disabled = true;
    problem.textContent = '';
    const answer = { passphrase: passphrase.value, repeat: repeat instanceof HTMLInputElement ? repeat.value : '' };
    void (ipcRenderer.invoke(PASSPHRASE_ANSWER_CHANNEL, answer) as Promise<{ problem: string | null }>)
      .then((reply) => {
        if (reply.problem === null) return;
        problem.textContent = reply.problem;
        passphrase.focus();
        passphrase.select();
      })
      .catch(() => {
        problem.textContent = 'Softphone did not answer; try again.';
      })
      .finally(() => {
        confirm.disabled = false;
      });
  });
});
