import { ed25519 } from '@noble/curves/ed25519.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './encoding';
import { DEFAULT_BACKUP_LOG2N, exportIdentityBackup, IdentityBackupError, importIdentityBackup, type IdentityBackupProblem } from './identityBackup';

/** The lowest cost a file may name, so the tests stay fast; the default is checked on its own. */
const FAST = { log2N: 14 };
const PASSPHRASE = 'correct horse battery staple';

const secretKey = ed25519.utils.randomSecretKey();
const identity = { secretKey, handle: 'alice' };

async function problemOf(text: string, passphrase = PASSPHRASE): Promise<IdentityBackupProblem> {
  const error = await importIdentityBackup(text, passphrase).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(IdentityBackupError);
  return (error as IdentityBackupError).problem;
}

/** Changes one field of an exported file. */
function edit(text: string, change: (file: Record<string, unknown> & { kdf: Record<string, unknown>; cipher: Record<string, unknown> }) => void): string {
  const file = JSON.parse(text) as Parameters<typeof change>[0];
  change(file);
  return JSON.stringify(file);
}

/** Flips one bit of a base64url field. */
function flipBit(field: string, index = 3): string {
  const decoded = fromBase64Url(field);
  decoded[index] = (decoded[index] ?? 0) ^ 1;
  return toBase64Url(decoded);
}

describe('identity backup', () => {
  /** One file exported at the fast cost, shared by the tests that only read or change it. */
  let exported: string;
  beforeAll(async () => {
    exported = await exportIdentityBackup(identity, PASSPHRASE, FAST);
  });

  it('round-trips the identity and handle with the right passphrase', async () => {
    const opened = await importIdentityBackup(exported, PASSPHRASE);

    expect(opened.secretKey).toEqual(secretKey);
    expect(opened.handle).toBe('alice');
    expect(opened.publicKey).toEqual(ed25519.getPublicKey(secretKey));
    expect(opened.secretKey).not.toBe(secretKey);
  });

  it('round-trips an identity that has no handle yet', async () => {
    const opened = await importIdentityBackup(await exportIdentityBackup({ secretKey, handle: null }, PASSPHRASE, FAST), PASSPHRASE);
    expect(opened.handle).toBeNull();
  });

  it('writes a versioned file that shows nothing of the identity in the clear', async () => {
    const text = await exportIdentityBackup(identity, PASSPHRASE);
    const file = JSON.parse(text) as Record<string, unknown>;

    expect(file).toMatchObject({
      format: 'softphone-identity-backup',
      version: 1,
      kdf: { name: 'scrypt', log2N: DEFAULT_BACKUP_LOG2N, r: 8, p: 1 },
      cipher: { name: 'xchacha20-poly1305' },
    });
    expect(Object.keys(file).sort()).toEqual(['check', 'cipher', 'ciphertext', 'format', 'kdf', 'version']);
    expect(text).not.toContain(toBase64Url(secretKey));
    expect(text).not.toContain(toBase64Url(ed25519.getPublicKey(secretKey)));
    expect(text).not.toContain('alice');
  });

  it('uses a fresh salt and nonce every time', async () => {
    const [a, b] = await Promise.all([exportIdentityBackup(identity, PASSPHRASE, FAST), exportIdentityBackup(identity, PASSPHRASE, FAST)]);
    const [fa, fb] = [JSON.parse(a), JSON.parse(b)] as { kdf: { salt: string }; cipher: { nonce: string }; ciphertext: string }[];
    expect(fa!.kdf.salt).not.toBe(fb!.kdf.salt);
    expect(fa!.cipher.nonce).not.toBe(fb!.cipher.nonce);
    expect(fa!.ciphertext).not.toBe(fb!.ciphertext);
  });

  it('refuses to export with a short passphrase', async () => {
    await expect(exportIdentityBackup(identity, 'short', FAST)).rejects.toThrow(/at least 10 characters/);
  });

  it('says the passphrase is wrong when it is', async () => {
    const text = exported;
    expect(await problemOf(text, 'correct horse battery stapler')).toBe('wrong-passphrase');
    await expect(importIdentityBackup(text, 'nope')).rejects.toThrow('The passphrase is wrong: it does not open this identity file.');
  });

  it('treats the passphrase as Unicode text, whatever its normal form', async () => {
    const text = await exportIdentityBackup(identity, 'caf\u00e9 au lait, merci', FAST);
    const opened = await importIdentityBackup(text, 'cafe\u0301 au lait, merci');
    expect(opened.secretKey).toEqual(secretKey);
  });

  it.each<[string, (file: Parameters<Parameters<typeof edit>[1]>[0]) => void]>([
    ['a flipped ciphertext bit', (file) => (file.ciphertext = flipBit(file.ciphertext as string))],
    ['a truncated ciphertext', (file) => (file.ciphertext = (file.ciphertext as string).slice(0, -8))],
    ['a changed nonce', (file) => (file.cipher.nonce = flipBit(file.cipher.nonce as string))],
  ])('detects a file changed after export: %s', async (_what, change) => {
    const text = exported;
    const problem = await problemOf(edit(text, change));
    expect(problem).toBe('tampered');
    await expect(importIdentityBackup(edit(text, change), PASSPHRASE)).rejects.toThrow(/changed after it was exported/);
  });

  it('cannot be opened once its key settings are changed', async () => {
    const text = exported;
    expect(await problemOf(edit(text, (file) => (file.kdf.salt = flipBit(file.kdf.salt as string))))).toBe('wrong-passphrase');
    expect(await problemOf(edit(text, (file) => (file.kdf.log2N = 15)))).toBe('wrong-passphrase');
    expect(await problemOf(edit(text, (file) => (file.check = flipBit(file.check as string))))).toBe('wrong-passphrase');
  });

  it.each([
    ['empty', ''],
    ['not JSON', 'hello'],
    ['some other JSON', '{"name":"alice"}'],
    ['a JSON array', '[1,2,3]'],
    ['far too large', 'x'.repeat(20_000)],
  ])('says a file that is %s is not an identity file', async (_what, text) => {
    expect(await problemOf(text)).toBe('not-a-backup');
    await expect(importIdentityBackup(text, PASSPHRASE)).rejects.toThrow('This is not a Softphone identity file.');
  });

  it('says which version a newer file has', async () => {
    const text = edit(exported, (file) => (file.version = 2));
    expect(await problemOf(text)).toBe('unsupported-version');
    await expect(importIdentityBackup(text, PASSPHRASE)).rejects.toThrow(/format version 2/);
  });

  it.each<[string, (file: Parameters<Parameters<typeof edit>[1]>[0]) => void, RegExp]>([
    ['a missing field', (file) => delete file.check, /check/],
    ['an unknown cipher', (file) => (file.cipher.name = 'rot13'), /cipher\.name/],
    ['a cost too high to accept', (file) => (file.kdf.log2N = 30), /kdf\.log2N/],
    ['a cost too low to accept', (file) => (file.kdf.log2N = 10), /kdf\.log2N/],
    ['a salt of the wrong size', (file) => (file.kdf.salt = 'AAAA'), /kdf\.salt/],
    ['an extra field', (file) => (file.comment = 'hi'), /comment|unrecognized/i],
  ])('says a file with %s is damaged, and where', async (_what, change, where) => {
    const text = edit(exported, change);
    expect(await problemOf(text)).toBe('damaged');
    await expect(importIdentityBackup(text, PASSPHRASE)).rejects.toThrow(where);
  });

  it('never puts the passphrase or the key into an error message', async () => {
    const text = exported;
    const messages = await Promise.all(
      [edit(text, (file) => (file.ciphertext = flipBit(file.ciphertext as string))), text, 'garbage'].map((input) =>
        importIdentityBackup(input, input === text ? 'wrong passphrase!' : PASSPHRASE).catch((error: Error) => error.message),
      ),
    );
    for (const message of messages) {
      expect(message).not.toContain(PASSPHRASE);
      expect(message).not.toContain('wrong passphrase!');
      expect(message).not.toContain(toBase64Url(secretKey));
    }
  });
});
