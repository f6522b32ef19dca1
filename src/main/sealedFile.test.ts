import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  INSECURE_PLAINTEXT_ENV,
  INSECURE_PLAINTEXT_WARNING,
  protectionFromEnvironment,
  readSealedFile,
  sealedFileIn,
  SecretStoreLockedError,
  StoreUnreadableError,
  writeSealedFile,
  type SealedFileOptions,
  type SecretProtection,
} from './sealedFile';
import { FakeSecretStorage, temporaryFolder } from './testing/fakeSecretStorage';

const Secret = z.object({ word: z.string() });
type Secret = z.infer<typeof Secret>;

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let storage: FakeSecretStorage;
beforeEach(async () => {
  folder = await temporaryFolder();
  storage = new FakeSecretStorage();
});
afterEach(() => folder.remove());

const now = () => new Date('2025-06-01T12:00:00.000Z');
function options(protection: SecretProtection): SealedFileOptions<Secret> {
  return { path: join(folder.dir, 'secret.json'), what: 'The secret file', schema: Secret, protection, now };
}
const sealed = (): SecretProtection => ({ kind: 'safe-storage', storage });
const plaintext: SecretProtection = { kind: 'insecure-plaintext' };

async function expectKeptAside(read: Promise<unknown>, original: string, reason: RegExp): Promise<void> {
  const error = await read.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StoreUnreadableError);
  const unreadable = error as StoreUnreadableError;
  expect(unreadable.reason).toMatch(reason);
  expect(unreadable.message).toContain(unreadable.keptAt);
  expect(unreadable.keptAt).toBe(`${join(folder.dir, 'secret.json')}.unreadable-2025-06-01T12-00-00-000Z`);
  expect(await readFile(unreadable.keptAt, 'utf8')).toBe(original);
  await expect(readFile(join(folder.dir, 'secret.json'))).rejects.toThrow(/ENOENT/);
}

describe('protectionFromEnvironment', () => {
  it('uses the secret store unless the plaintext mode is asked for explicitly', () => {
    const warn = vi.fn();
    expect(protectionFromEnvironment({}, storage, warn)).toEqual({ kind: 'safe-storage', storage });
    expect(protectionFromEnvironment({ [INSECURE_PLAINTEXT_ENV]: 'true' }, storage, warn).kind).toBe('safe-storage');
    expect(warn).not.toHaveBeenCalled();
  });

  it('announces the plaintext mode when it is on', () => {
    const warn = vi.fn();
    expect(protectionFromEnvironment({ [INSECURE_PLAINTEXT_ENV]: '1' }, storage, warn)).toEqual(plaintext);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^WARNING: NOT ENCRYPTED/));
  });
});

describe('sealed files', () => {
  it('answers null when there is no file yet', async () => {
    expect(await readSealedFile(options(sealed()))).toBeNull();
  });

  it('round-trips content sealed by the secret store, never written in the clear', async () => {
    await writeSealedFile(options(sealed()), { word: 'swordfish' });
    expect(await readFile(join(folder.dir, 'secret.json'), 'utf8')).not.toContain('swordfish');
    expect(await readSealedFile(options(sealed()))).toEqual({ word: 'swordfish' });
  });

  it('records the plaintext mode and its warning in the file', async () => {
    await writeSealedFile(options(plaintext), { word: 'swordfish' });
    const file = JSON.parse(await readFile(join(folder.dir, 'secret.json'), 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ protection: 'insecure-plaintext', warning: INSECURE_PLAINTEXT_WARNING });
    expect(await readSealedFile(options(plaintext))).toEqual({ word: 'swordfish' });
  });

  it('refuses to write content that does not match the schema', async () => {
    await expect(writeSealedFile(options(sealed()), { word: 7 } as unknown as Secret)).rejects.toThrow();
    expect(await readSealedFile(options(sealed()))).toBeNull();
  });

  it('keeps aside a file that is not JSON', async () => {
    await writeFile(join(folder.dir, 'secret.json'), '{"format":');
    await expectKeptAside(readSealedFile(options(sealed())), '{"format":', /not a sealed Softphone file/);
  });

  it('keeps aside a file the secret store cannot decrypt', async () => {
    await writeSealedFile(options(sealed()), { word: 'swordfish' });
    const original = await readFile(join(folder.dir, 'secret.json'), 'utf8');
    storage.wrongAccount = true;
    await expectKeptAside(readSealedFile(options(sealed())), original, /could not be decrypted/);
  });

  it('keeps aside a file whose content does not match the schema', async () => {
    await writeSealedFile(options(plaintext), { word: 'swordfish' });
    const original = (await readFile(join(folder.dir, 'secret.json'), 'utf8')).replace('"swordfish"', '42');
    await writeFile(join(folder.dir, 'secret.json'), original);
    await expectKeptAside(readSealedFile(options(plaintext)), original, /content is not valid/);
  });

  it('does not trust a plaintext file when the run expects encryption', async () => {
    await writeSealedFile(options(plaintext), { word: 'planted' });
    const original = await readFile(join(folder.dir, 'secret.json'), 'utf8');
    await expectKeptAside(readSealedFile(options(sealed())), original, /unencrypted in test mode/);
  });

  it('leaves an encrypted file alone when the secret store is unavailable or the run is in plaintext mode', async () => {
    await writeSealedFile(options(sealed()), { word: 'swordfish' });
    const original = await readFile(join(folder.dir, 'secret.json'), 'utf8');

    await expect(readSealedFile(options(plaintext))).rejects.toBeInstanceOf(SecretStoreLockedError);
    storage.available = false;
    await expect(readSealedFile(options(sealed()))).rejects.toBeInstanceOf(SecretStoreLockedError);
    await expect(writeSealedFile(options(sealed()), { word: 'other' })).rejects.toBeInstanceOf(SecretStoreLockedError);

    expect(await readFile(join(folder.dir, 'secret.json'), 'utf8')).toBe(original);
  });
});

describe('sealedFileIn', () => {
  it('names the file in the store folder and passes on the protection and the clock', () => {
    const protection = sealed();
    expect(sealedFileIn({ dir: folder.dir, protection, now }, { name: 'secret.json', what: 'The secret file', schema: Secret })).toEqual(options(protection));
    expect(sealedFileIn({ dir: folder.dir, protection: plaintext }, { name: 'secret.json', what: 'The secret file', schema: Secret })).not.toHaveProperty(
      'now',
    );
  });
});
