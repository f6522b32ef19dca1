// The recording and transcription messages of the signaling protocol.
import { describe, expect, it } from 'vitest';
import { MAX_LISTED_RECORDINGS, parseClientMessage, parseServerMessage, type RecordingSummary } from './protocol';

const CALL = 'AAECAwQFBgcICQoLDA0ODw';
const RECORDING = 'ZZECAwQFBgcICQoLDA0ODw';
const json = (value: object) => JSON.stringify({ v: 1, ...value });

const summary: RecordingSummary = {
  id: RECORDING,
  callId: CALL,
  createdAt: 1_700_000_000_000,
  durationMs: 12_345,
  participants: { caller: 'alice', callee: 'bob' },
  status: 'ready',
  problem: null,
  files: ['mixed.wav', 'caller.wav', 'callee.wav', 'transcript.txt', 'transcript.json'],
};

describe('recording and transcription requests', () => {
  it.each(['recording.stop', 'transcription.stop'])('accepts %s for a call id', (type) => {
    expect(parseClientMessage(json({ type, id: 3, callId: CALL }))).toMatchObject({ ok: true, message: { type, callId: CALL } });
    expect(parseClientMessage(json({ type, callId: 'nope' }))).toMatchObject({ ok: false, code: 'bad-message' });
  });

  it.each(['recording.start', 'transcription.start'])('accepts %s for a call id with a capture statement, and refuses it without one', (type) => {
    const statement = 'A'.repeat(86);
    expect(parseClientMessage(json({ type, id: 3, callId: CALL, statement }))).toMatchObject({ ok: true, message: { type, callId: CALL, statement } });
    expect(parseClientMessage(json({ type, callId: CALL }))).toMatchObject({ ok: false, code: 'bad-message', error: expect.stringMatching(/^statement: /) });
    expect(parseClientMessage(json({ type, callId: CALL, statement: 'A'.repeat(85) }))).toMatchObject({ ok: false, code: 'bad-message' });
  });

  it('asks for a link to one of the files a recording can have, and nothing else', () => {
    expect(parseClientMessage(json({ type: 'recording.link', recordingId: RECORDING, file: 'transcript.json' })).ok).toBe(true);
    for (const file of ['../recordings.db', 'mixed.mp3', 'accounts.db', '']) {
      expect(parseClientMessage(json({ type: 'recording.link', recordingId: RECORDING, file }))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^file: /),
      });
    }
    expect(parseClientMessage(json({ type: 'recordings.list' })).ok).toBe(true);
  });
});

describe('what the server says about capture', () => {
  it('tells both parties the capture state, the transcript, the result and failures', () => {
    for (const message of [
      { type: 'call.capture', callId: CALL, recording: true, transcribing: false, by: 'alice' },
      {
        type: 'transcript.segment',
        callId: CALL,
        recordingId: RECORDING,
        speaker: 'bob',
        role: 'callee',
        startMs: 1200,
        endMs: 3400,
        text: 'nine eight seven',
      },
      { type: 'recording.ready', callId: CALL, recording: summary },
      { type: 'capture.failed', callId: CALL, kind: 'transcription', message: 'Transcription failed: the server’s disk is full.' },
      {
        type: 'recording.link.result',
        recordingId: RECORDING,
        file: 'mixed.wav',
        path: `/api/recordings/${RECORDING}/mixed.wav?token=${'t'.repeat(43)}`,
        expiresAt: 1,
      },
      { type: 'error', code: 'end-to-end-encrypted', message: 'Recording is unavailable: this call is end-to-end encrypted.' },
    ]) {
      expect(parseServerMessage(json(message))).toMatchObject({ ok: true, message });
    }
  });

  it('keeps a full recordings list inside one message', () => {
    const recordings = Array.from({ length: MAX_LISTED_RECORDINGS }, () => summary);
    const text = json({ type: 'recordings.list.result', recordings });
    expect(parseServerMessage(text).ok).toBe(true);
    expect(parseServerMessage(json({ type: 'recordings.list.result', recordings: [...recordings, summary] })).ok).toBe(false);
  });

  it('accepts only download paths of the server’s own form', () => {
    for (const path of ['https://elsewhere.example/x', `/api/recordings/${RECORDING}/mixed.wav`, `/api/recordings/${RECORDING}/../x?token=${'t'.repeat(43)}`]) {
      expect(parseServerMessage(json({ type: 'recording.link.result', recordingId: RECORDING, file: 'mixed.wav', path, expiresAt: 1 })).ok).toBe(false);
    }
  });
});
