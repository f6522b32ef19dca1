// The signaling protocol's field formats: what each schema accepts on the wire.
import { describe, expect, it } from 'vitest';
import { HandshakeMessage as BridgeHandshakeMessage } from './bridge';
import { HandshakeMessage, parseClientMessage, parseServerMessage } from './protocol';

const CALL = 'AAECAwQFBgcICQoLDA0ODw';
const json = (value: object) => JSON.stringify({ v: 1, ...value });

describe('e2ee.handshake', () => {
  const valid = [
    { seq: 0, payload: 'A' },
    { seq: 7, payload: 'A'.repeat(1400) },
    { seq: 3, payload: 'abc-_XYZ019' },
  ];
  const invalid = [
    { seq: -1, payload: 'AAAA' },
    { seq: 8, payload: 'AAAA' },
    { seq: 1.5, payload: 'AAAA' },
    { seq: 0, payload: '' },
    { seq: 0, payload: 'A'.repeat(1401) },
    { seq: 0, payload: 'AAAA=' },
    { seq: 0, payload: 'AA+/' },
    { seq: 0 },
    { payload: 'AAAA' },
  ];

  it('carries a message number 0–7 and 1–1400 characters of unpadded base64url, both ways', () => {
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
