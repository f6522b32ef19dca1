import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { EXPORT_PASSPHRASE_REQUEST, IMPORT_PASSPHRASE_REQUEST } from './identityBackupFlow';
import { passphrasePageCsp, passphrasePageHtml, replaceConfirmation } from './passphraseWindow';

describe('the passphrase window’s page', () => {
  it('has no script, and a CSP that allows none and only its own style by hash', () => {
    const html = passphrasePageHtml(EXPORT_PASSPHRASE_REQUEST);
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    const csp = passphrasePageCsp();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(csp).not.toMatch(/script-src/);
    const style = /<style>(.*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${Buffer.from(sha256(new TextEncoder().encode(style))).toString('base64')}'`);
    expect(html).toContain(`content="${csp.replaceAll("'", '&#39;')}"`);
  });

  it('asks for a new passphrase twice on export and once on import', () => {
    expect(passphrasePageHtml(EXPORT_PASSPHRASE_REQUEST)).toContain('id="repeat"');
    expect(passphrasePageHtml(IMPORT_PASSPHRASE_REQUEST)).not.toContain('id="repeat"');
  });

  it('escapes every text it shows', () => {
    const html = passphrasePageHtml({ kind: 'existing', title: '<img src=x>', message: '"quoted" & <b>', confirm: "it's" });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;');
    expect(html).toContain('it&#39;s');
  });
});

describe('the import confirmation', () => {
  it('names both identities and what happens next', () => {
    const text = replaceConfirmation(
      { publicKey: 'k', handle: 'bob', fingerprint: 'cccc dddd' },
      { publicKey: 'k', handle: 'alice', fingerprint: 'aaaa bbbb' },
    );
    expect(text.message).toBe('Replace this device’s identity?');
    expect(text.detail).toContain('bob, fingerprint cccc dddd');
    expect(text.detail).toContain('(alice, aaaa bbbb)');
    expect(text.detail).toContain('restarts');
  });
});
