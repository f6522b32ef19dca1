import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepAside, readTextIfExists, writeFileAtomic } from './atomicFile';
import { temporaryFolder } from './testing/fakeSecretStorage';

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
beforeEach(async () => {
  folder = await temporaryFolder();
});
afterEach(() => folder.remove());

describe('writeFileAtomic', () => {
  it('writes the whole content, readable by the owner only, and leaves no temp file', async () => {
    const path = join(folder.dir, 'nested', 'state.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, '{"a":2}');
    expect(await readFile(path, 'utf8')).toBe('{"a":2}');
    expect(await readdir(join(folder.dir, 'nested'))).toEqual(['state.json']);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe('readTextIfExists', () => {
  it('answers null for a missing file and the text otherwise', async () => {
    const path = join(folder.dir, 'x.txt');
    expect(await readTextIfExists(path)).toBeNull();
    await writeFile(path, 'hello');
    expect(await readTextIfExists(path)).toBe('hello');
  });
});

describe('keepAside', () => {
  it('renames the file with a timestamp and never reuses a name', async () => {
    const path = join(folder.dir, 'settings.json');
    const now = new Date('2025-01-02T03:04:05.678Z');
    await writeFile(path, 'first');
    const first = await keepAside(path, now);
    await writeFile(path, 'second');
    const second = await keepAside(path, now);

    expect(first).toBe(`${path}.unreadable-2025-01-02T03-04-05-678Z`);
    expect(second).toBe(`${first}-1`);
    expect(await readFile(first, 'utf8')).toBe('first');
    expect(await readFile(second, 'utf8')).toBe('second');
    expect(await readTextIfExists(path)).toBeNull();
  });
});
