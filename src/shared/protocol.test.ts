// The signaling protocol's field formats: what each schema accepts on the wire.
import { describe, expect, it } from 'vitest';
import { HandshakeMessage as BridgeHandshakeMessage } from './bridge';
import { CallId, HandshakeMessage, MAX_JSON_DEPTH, Nonce, PublicKey, RecordingId, Signature, parseClientMessage, parseServerMessage } from './protocol';

const CALL = 'AAECAwQFBgcICQoLDA0ODw';
const json = (value: object) => JSON.stringify({ v: 1, ...value });

describe('e2ee.handshake', () => {
  const valid = [
    { seq: 0, payload: 'A' },
    { seq: 7, payload: 'A'.repeat(2200) },
    // The hybrid handshake's longest message: 1,216 bytes (an X25519 and an ML-KEM-768 public key).
    { seq: 0, payload: 'A'.repeat(Math.ceil((1216 * 4) / 3)) },
    { seq: 3, payload: 'abc-_XYZ019' },
  ];
  const invalid = [
    { seq: -1, payload: 'AAAA' },
    { seq: 8, payload: 'AAAA' },
    { seq: 1.5, payload: 'AAAA' },
    { seq: 0, payload: '' },
    { seq: 0, payload: 'A'.repeat(2201) },
    { seq: 0, payload: 'AAAA=' },
    { seq: 0, payload: 'AA+/' },
    { seq: 0 },
    { payload: 'AAAA' },
  ];

  it('carries a message number 0–7 and 1–2200 characters of unpadded base64url, both ways', () => {
    for (const message of valid) {
      const body = { type: 'e2ee.handshake', callId: CALL, ...message };
      expect(parseClientMessage(json({ ...body, id: 1 }))).toMatchObject({ ok: true, message: body });
      expect(parseServerMessage(json(body))).toMatchObject({ ok: true, message: body });
      expect(HandshakeMessage.parse(message)).toEqual(message);
    }
    for (const message of invalid) {
      const body = { type: 'e2ee.handshake', callId: CALL, ...message };
      expect(parseClientMessage(json(body))).toMatchObject({ ok: false, code: 'bad-message' });
      expect(parseServerMessage(json(body))).toMatchObject({ ok: false, code: 'bad-message' });
      expect(HandshakeMessage.safeParse(message).success).toBe(false);
    }
  });

  it('is the same schema the host bridge passes', () => {
    expect(BridgeHandshakeMessage).toBe(HandshakeMessage);
  });
});

describe('fixed-length base64url fields', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const cases = [
    { name: 'PublicKey', schema: PublicKey, chars: 43 },
    { name: 'Signature', schema: Signature, chars: 86 },
    { name: 'Nonce', schema: Nonce, chars: 43 },
    { name: 'CallId', schema: CallId, chars: 22 },
    { name: 'RecordingId', schema: RecordingId, chars: 22 },
  ];

  it.each(cases)('$name is exactly $chars characters of unpadded base64url', ({ schema, chars }) => {
    const valid = Array.from({ length: chars }, (_, i) => alphabet[(i * 7) % alphabet.length]).join('');
    expect(schema.safeParse(valid).success).toBe(true);
    expect(schema.safeParse('A'.repeat(chars)).success).toBe(true);
    expect(schema.safeParse('_'.repeat(chars)).success).toBe(true);
    for (const bad of [
      'A'.repeat(chars - 1),
      'A'.repeat(chars + 1),
      `${'A'.repeat(chars - 1)}=`,
      `${'A'.repeat(chars)}=`,
      `${'A'.repeat(chars - 1)}+`,
      `${'A'.repeat(chars - 1)}/`,
      `${'A'.repeat(chars - 1)} `,
      `${'A'.repeat(chars)}\n`,
      '',
    ]) {
      const result = schema.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/bytes of base64url$/);
    }
    expect(schema.safeParse(42).success).toBe(false);
  });
});

describe('hostile input', () => {
  it('answers a deeply nested protocol version with a short error instead of recursing', () => {
    const nested = `{"v":${'['.repeat(20)}${']'.repeat(20)}}`;
    const result = parseClientMessage(nested);
    expect(result).toEqual({ ok: false, code: 'unsupported-version', error: 'unsupported protocol version an array (this side speaks 1)' });
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH before parsing it; brackets inside strings do not count', () => {
    const tooDeep = 'nested deeper than 32 levels';
    const depth = (levels: number) => `{"v":1,"type":"lookup","handle":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    expect(parseClientMessage(depth(MAX_JSON_DEPTH))).toMatchObject({ ok: false, code: 'bad-message', error: expect.stringMatching(/^handle:/) });
    expect(parseClientMessage(depth(MAX_JSON_DEPTH + 1))).toEqual({ ok: false, code: 'bad-message', error: tooDeep });
    for (const frame of [`{"v":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, '['.repeat(60_000)]) {
      expect(parseClientMessage(frame)).toEqual({ ok: false, code: 'bad-message', error: tooDeep });
    }
    // Brackets and escaped quotes inside a string are text, not nesting.
    const inString = JSON.stringify({ v: 1, type: 'lookup', handle: `\\"${'['.repeat(1000)}` });
    expect(parseClientMessage(inString)).toMatchObject({ ok: false, code: 'bad-message', error: expect.stringMatching(/^handle:/) });
  });

  it('quotes at most a few dozen characters of what the peer sent', () => {
    const huge = 'x'.repeat(60_000);
    for (const message of [
      JSON.stringify({ v: huge, type: 'ping' }),
      JSON.stringify({ v: 1, type: huge }),
      JSON.stringify({ v: 1, type: 'lookup', handle: huge }),
      JSON.stringify({ v: 1, type: 'presence.watch', handles: [huge, huge] }),
    ]) {
      const result = parseClientMessage(message);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.length).toBeLessThanOrEqual(160);
    }
  });

  it('keeps prototype keys as plain data', () => {
    const result = parseClientMessage('{"v":1,"type":"ping","__proto__":{"type":"login"},"constructor":{"prototype":{"polluted":true}}}');
    expect(result).toEqual({ ok: true, message: { v: 1, type: 'ping' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
