// Unambiguous bytes to sign or to bind into a handshake: a domain string saying what the bytes are
// for, then each field as a 4-byte big-endian length and its bytes. No two different field lists
// (or domains) encode to the same bytes.

export function encodeFields(domain: string, fields: readonly Uint8Array[]): Uint8Array {
  const parts = [new TextEncoder().encode(domain), ...fields];
  const out = new Uint8Array(parts.reduce((length, part) => length + 4 + part.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}
