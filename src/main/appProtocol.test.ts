import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from '../shared/desktop/appOrigin';
import { createAppProtocolHandler, resolveAppFile } from './appProtocol';
import { temporaryFolder } from './testing/fakeSecretStorage';

describe('resolveAppFile', () => {
  const root = join('/opt', 'softphone', 'dist', 'renderer');

  it('serves the entry page for the bare origin and files under the folder with their type', () => {
    expect(resolveAppFile(root, 'app://softphone/')).toEqual({ kind: 'file', path: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile(root, 'app://softphone/assets/e2ee.worker-1a2b.js')).toEqual({
      kind: 'file',
      path: join(root, 'assets', 'e2ee.worker-1a2b.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://softphone/assets/app.CSS')).toMatchObject({ contentType: 'text/css; charset=utf-8' });
    expect(resolveAppFile(root, 'app://softphone/ring%20tone.wav')).toMatchObject({ path: join(root, 'ring tone.wav'), contentType: 'audio/wav' });
  });

  it.each([
    ['app://softphone/..%2f..%2fetc%2fpasswd.txt', 403],
    ['app://softphone/..%5c..%5csecret.txt', 403],
    ['app://softphone/index.html%00.png', 403],
    ['app://softphone/%E0%A4%A', 400],
    ['app://softphone/package', 404],
    ['app://softphone/main.cjs.node', 404],
    ['app://evil/index.html', 404],
  ])('refuses %s with %i', (url, status) => {
    const lookup = resolveAppFile(root, url);
    expect(lookup).toMatchObject({ kind: 'refused', status });
  });

  it('never resolves outside the folder, whatever the URL parser did', () => {
    for (const url of ['app://softphone/../../../etc/passwd.txt', 'app://softphone/%2e%2e/%2e%2e/etc/passwd.txt']) {
      const lookup = resolveAppFile(root, url);
      if (lookup.kind === 'file') expect(lookup.path.startsWith(root)).toBe(true);
    }
  });
});

describe('createAppProtocolHandler', () => {
  let folder: Awaited<ReturnType<typeof temporaryFolder>>;
  let handle: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    folder = await temporaryFolder();
    const root = join(folder.dir, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Softphone</title>');
    await writeFile(join(root, 'assets', 'main.js'), 'console.log(1)');
    await writeFile(join(folder.dir, 'secret.txt'), 'outside');
    handle = createAppProtocolHandler({ rootDir: root, contentSecurityPolicy: () => "default-src 'none'" });
  });
  afterAll(() => folder.remove());

  it('serves a file with its type, the CSP and nosniff', async () => {
    const response = await handle(new Request(APP_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Softphone</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends the CSP with scripts too, since workers take their policy from their own response', async () => {
    const response = await handle(new Request('app://softphone/assets/main.js'));
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
  });

  it('answers 404 for missing files and refuses traversal and writes', async () => {
    expect((await handle(new Request('app://softphone/missing.js'))).status).toBe(404);
    expect((await handle(new Request('app://softphone/..%2fsecret.txt'))).status).toBe(403);
    expect((await handle(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
