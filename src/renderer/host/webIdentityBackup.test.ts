import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it, vi } from 'vitest';
import { webIdentityBackupCalls, type WebIdentityBackupOptions } from './webIdentityBackup';
import { fromBase64Url, toBase64Url } from '../../shared/encoding';
import { IdentityBackupError } from '../../shared/identityBackup';

const PASSPHRASE = 'a passphrase for the move';

function device(handle: string | null, overrides: Partial<WebIdentityBackupOptions> = {}) {
  const seed = ed25519.utils.randomSecretKey();
  const save = vi.fn<WebIdentityBackupOptions['save']>();
  const restart = vi.fn<WebIdentityBackupOptions['restart']>();
  const options = { current: () => ({ seed, handle }), inCall: () => false, save, restart, ...overrides };
  return { seed, save, restart, calls: webIdentityBackupCalls(options) };
}

describe('webIdentityBackupCalls', () => {
  it('exports this identity and imports it on another device, which then restarts with it', async () => {
    const old = device('alice');
    const fresh = device(null);
    const { fileName, contents } = await old.calls['identity.export']({ passphrase: PASSPHRASE });
    expect(fileName).toBe('softphone-identity-alice.json');

    const expected = { publicKey: toBase64Url(ed25519.getPublicKey(old.seed)), handle: 'alice' };
    expect(await fresh.calls['identity.checkImport']({ file: contents, passphrase: PASSPHRASE })).toMatchObject(expected);
    expect(fresh.save).not.toHaveBeenCalled();

    expect(await fresh.calls['identity.import']({ file: contents, passphrase: PASSPHRASE })).toMatchObject(expected);
    const saved = fresh.save.mock.calls[0]?.[0];
    expect(saved?.handle).toBe('alice');
    expect(fromBase64Url(saved?.seed ?? '')).toEqual(old.seed);
    expect(fresh.restart).toHaveBeenCalledOnce();
  });

  it('saves nothing and does not restart on a wrong passphrase or during a call', async () => {
    const { contents } = await device('alice').calls['identity.export']({ passphrase: PASSPHRASE });
    const fresh = device(null);
    await expect(fresh.calls['identity.import']({ file: contents, passphrase: 'not it' })).rejects.toBeInstanceOf(IdentityBackupError);
    const busy = device(null, { inCall: () => true });
    await expect(busy.calls['identity.import']({ file: contents, passphrase: PASSPHRASE })).rejects.toThrow('Finish the call before importing an identity.');
    for (const { save, restart } of [fresh, busy]) {
      expect(save).not.toHaveBeenCalled();
      expect(restart).not.toHaveBeenCalled();
    }
  });
});
