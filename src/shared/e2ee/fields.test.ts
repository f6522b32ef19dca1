import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8ToBytes } from '../encoding';
import { encodeFields } from './fields';

describe('encodeFields', () => {
  it('length-prefixes the domain and every field', () => {
    expect(bytesToHex(encodeFields('ab', [Uint8Array.of(1, 2, 3), new Uint8Array(0)]))).toBe('000000026162' + '00000003010203' + '00000000');
  });

  it('keeps field boundaries: moving bytes between fields changes the encoding', () => {
    const a = encodeFields('d', [utf8ToBytes('ab'), utf8ToBytes('c')]);
    const b = encodeFields('d', [utf8ToBytes('a'), utf8ToBytes('bc')]);
    const c = encodeFields('da', [utf8ToBytes('b'), utf8ToBytes('c')]);
    expect(new Set([a, b, c].map(bytesToHex)).size).toBe(3);
  });
});
