import { describe, expect, it } from 'vitest';
import { createLogger } from './log';
import type { LoggerOptions } from './log';

function capture(options: Omit<LoggerOptions, 'write' | 'now'> = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    ...options,
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    write: (line) => {
      expect(line.endsWith('\n')).toBe(true);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message, base fields and fields', () => {
    const { log, lines } = capture({ base: { component: 'janus' } });
    log.info('room created', { room: 'abc', e2ee: true });
    expect(lines).toEqual([{ time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'room created', component: 'janus', room: 'abc', e2ee: true }]);
  });

  it('drops lines below its level', () => {
    const { log, lines } = capture({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((line) => line.level)).toEqual(['warn', 'error']);
  });

  it('never writes secrets, keys, tokens or session descriptions, even nested', () => {
    const { log, lines } = capture();
    log.info('request', {
      apiSecret: 's3cret',
      adminKey: 'k3y',
      token: 't',
      jsep: { type: 'offer', sdp: 'v=0...' },
      nested: { sdp: 'v=0', candidate: 'candidate:1 1 udp ...', room: 'r' },
    });
    const text = JSON.stringify(lines);
    for (const secret of ['s3cret', 'k3y', 'v=0', 'candidate:1']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ apiSecret: '[redacted]', jsep: '[redacted]', nested: { sdp: '[redacted]', room: 'r' } });
  });

  it('cuts long strings and writes errors as name and message', () => {
    const { log, lines } = capture();
    log.error('failed', { detail: 'x'.repeat(5000), error: new TypeError('bad') });
    expect(String(lines[0]?.detail).length).toBeLessThan(300);
    expect(lines[0]?.error).toEqual({ name: 'TypeError', message: 'bad' });
  });
});
