// @vitest-environment happy-dom
// The identity section's note on how the key is kept at rest, in a DOM: where the desktop app
// offers a passphrase (no key store), the button runs main's flow and says what happened.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from './context';
import { IdentitySettings } from './IdentitySettings';
import type { AppSession } from '../app/appSession';
import type { IdentityAtRest } from '../../shared/bridge';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let container: HTMLElement;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function render(kind: 'electron' | 'web', atRest: IdentityAtRest, protect = vi.fn(async () => 'done' as const)) {
  const calls = { 'identity.atRest': vi.fn(async () => atRest), 'identity.protectWithPassphrase': protect };
  await act(async () => {
    root.render(
      <SessionContext.Provider value={{ host: { kind, calls } } as unknown as AppSession}>
        <IdentitySettings />
      </SessionContext.Provider>,
    );
  });
  return { protect };
}

const button = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Protect with a passphrase…');
const UNPROTECTED: IdentityAtRest = { protected: false, description: 'Not protected at rest: this system has no key store.', passphraseOffered: true };

describe('the identity key at rest', () => {
  it('offers a passphrase where the desktop app has no key store, and says it restarts', async () => {
    const { protect } = await render('electron', UNPROTECTED);
    expect(container.querySelector('[aria-label="Identity key at rest"]')?.className).toBe('warning');
    await act(async () => button()!.click());
    expect(protect).toHaveBeenCalledOnce();
    expect(container.querySelector('[role="status"]')?.textContent).toMatch(/restarting and will ask for it/);
  });

  it('says a failure plainly', async () => {
    await render('electron', UNPROTECTED, vi.fn(async () => Promise.reject(new Error('Not during a call: Softphone restarts once the passphrase is set.'))));
    await act(async () => button()!.click());
    expect(container.querySelector('[role="alert"]')?.textContent).toMatch(/Not during a call/);
  });

  it('offers nothing where the key is protected, or in the web client', async () => {
    await render('electron', { protected: true, description: 'Encrypted at rest with KWallet.' });
    expect(button()).toBeUndefined();
    await render('web', UNPROTECTED);
    expect(button()).toBeUndefined();
  });
});
