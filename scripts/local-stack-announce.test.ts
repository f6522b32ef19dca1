// The demo's start text: one URL, and a way to get Electron when it is missing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { announcement, SERVER_URL_LINE, withoutServerUrl } from './local-stack-announce';
import { DEFAULT_SETTINGS } from '../src/shared/settings';

const urls = (text: string) => text.match(/https?:\/\/\S+/g) ?? [];

describe('the demo start text', () => {
  it('prints one URL, the web client’s, with the server’s own URL line left out', () => {
    const server = `${SERVER_URL_LINE} http://127.0.0.1:9090/\n{"level":"info","msg":"ready"}\n`;
    const printed = withoutServerUrl(server) + announcement('9090', { path: '/opt/electron' }).join('\n');
    expect(urls(printed)).toEqual(['http://localhost:9090/']);
    expect(printed).toContain('{"level":"info","msg":"ready"}');
  });

  it('says how to get the Electron binary when it is missing', () => {
    const lines = announcement('8080', { missing: 'node_modules/electron/path.txt does not exist' });
    expect(lines[1]).toContain('npx install-electron');
    expect(lines[1]).toContain('npm ci');
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it('says end-to-end encryption is on by default, as the default settings have it', () => {
    expect(DEFAULT_SETTINGS.e2ee).toBe(true);
    expect(readme).toContain('End-to-end encryption (E2EE) is on by default');
    expect(readme).not.toMatch(/Turn end-to-end encryption \(E2EE\) on in Settings/);
  });

  it('documents SOFTPHONE_PORT where start.sh is described', () => {
    const startSection = readme.slice(readme.indexOf('**`./scripts/start.sh`**'), readme.indexOf('**`./scripts/test.sh`**'));
    expect(startSection).toContain('SOFTPHONE_PORT');
  });
});
