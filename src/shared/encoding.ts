// Byte encodings used on every boundary: keys, signatures and handshake messages travel as
// unpadded base64url. Byte helpers come from @noble; this module only names the wire format.
import { base64urlnopad } from '@scure/base';

export { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
export { equalBytes } from '@noble/ciphers/utils.js';

export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Decodes unpadded base64url; throws a clear error on anything else. */
export function fromBase64Url(text: string): Uint8Array {
  try {
    return base64urlnopad.decode(text);
  } catch {
    throw new Error('not valid unpadded base64url');
  }
}
