// @vitest-environment happy-dom
// The identity section's note on how the key is kept at rest, in a DOM: where the desktop app
// offers a passphrase (no key store), the button runs main's flow and says what happened; a web
// client with a non-extractable key says why it has no export.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from './context';
import { IdentitySettings } from './IdentitySettings';
import type { AppSession } from '../app/appSession';
import { WEB_IDENTITY_NON_EXTRACTABLE, WEB_IDENTITY_SEED_IN_STORAGE } from '../host/webHost';
import { NOT_EXPORTABLE } from '../host/webIdentityBackup';
import { setState } from '../store/appStore';
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
  setState({ identityAtRest: null });
});

/** Renders the section as the app shows it once booted, with the host's `identity.atRest` answer in the store. */
async function render(kind: 'electron' | 'web', atRest: IdentityAtRest, protect = vi.fn(async () => 'done' as const)) {
  const calls = { 'identity.protectWithPassphrase': protect };
  setState({ identityAtRest: atRest });
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
    await render(
      'electron',
      UNPROTECTED,
      vi.fn(async () => Promise.reject(new Error('Not during a call: Softphone restarts once the passphrase is set.'))),
    );
    await act(async () => button()!.click());
    expect(container.querySelector('[role="alert"]')?.textContent).toMatch(/Not during a call/);
  });

  it('offers nothing where the key is protected, or in the web client', async () => {
    await render('electron', { protected: true, description: 'Encrypted at rest with KWallet.' });
    expect(button()).toBeUndefined();
    await render('web', UNPROTECTED);
    expect(button()).toBeUndefined();
  });

  it('in a web client whose key is non-extractable, says why there is no export instead of offering it; import stays', async () => {
    await render('web', WEB_IDENTITY_NON_EXTRACTABLE);
    expect(container.querySelector('[aria-label="Identity key at rest"]')?.textContent).toBe(WEB_IDENTITY_NON_EXTRACTABLE.description);
    expect(container.querySelector('[aria-label="Identity backup"]')?.textContent).toBe(NOT_EXPORTABLE);
    expect(container.querySelector('form[aria-label="Export identity"]')).toBeNull();
    expect(container.querySelector('form[aria-label="Import identity"]')).not.toBeNull();
    await render('web', WEB_IDENTITY_SEED_IN_STORAGE);
    expect(container.querySelector('form[aria-label="Export identity"]')).not.toBeNull();
  });
});
