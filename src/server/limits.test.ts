import { describe, expect, it } from 'vitest';
import { CallLimits, PendingConnections, RateLimiter, clientAddress, retryText, takeAll } from './limits';

function clock() {
  const time = { now: 1_000_000 };
  return { time, now: () => time.now };
}

describe('RateLimiter', () => {
  it('gives a burst, then tokens at the rate, and says how long to wait', () => {
    const { time, now } = clock();
    const limiter = new RateLimiter(3, 60_000, 100, now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(20_000);
    expect(limiter.take('b')).toBe(0);
    time.now += 19_999;
    expect(limiter.take('a')).toBe(1);
    time.now += 1;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(20_000);
  });

  it('keeps memory bounded: full buckets are dropped, and past maxKeys the least recently used goes', () => {
    const { time, now } = clock();
    const limiter = new RateLimiter(2, 1000, 50, now);
    for (let i = 0; i < 10_000; i++) limiter.take(`key${i}`);
    expect(limiter.size).toBe(50);
    time.now += 1000;
    for (let i = 0; i < 60; i++) limiter.take('hot');
    expect(limiter.size).toBeLessThan(50);
    expect(limiter.take('hot')).toBeGreaterThan(0);
  });
});

describe('takeAll', () => {
  it('takes from every limiter or from none', () => {
    const { now } = clock();
    const wide = new RateLimiter(10, 60_000, 100, now);
    const narrow = new RateLimiter(1, 60_000, 100, now);
    expect(
      takeAll([
        [wide, 'x'],
        [narrow, 'y'],
      ]),
    ).toBe(0);
    expect(
      takeAll([
        [wide, 'x'],
        [narrow, 'y'],
      ]),
    ).toBe(60_000);
    expect(wide.waitMs('x')).toBe(0);
    for (let i = 0; i < 9; i++) expect(wide.take('x')).toBe(0);
    expect(wide.take('x')).toBeGreaterThan(0);
  });
});

describe('PendingConnections', () => {
  it('refuses past the total and the per-address count, and frees a place once (release twice is harmless)', () => {
    const pending = new PendingConnections({ pendingConnections: 3, pendingPerAddress: 2 });
    const a1 = pending.admit('10.0.0.1');
    const a2 = pending.admit('10.0.0.1');
    expect(a1 && a2).toBeTruthy();
    expect(pending.admit('10.0.0.1')).toBeNull();
    const b1 = pending.admit('10.0.0.2');
    expect(b1).toBeTruthy();
    expect(pending.admit('10.0.0.3')).toBeNull();
    a1?.();
    a1?.();
    expect(pending.count).toBe(2);
    expect(pending.admit('10.0.0.3')).toBeTruthy();
    expect(pending.admit('10.0.0.4')).toBeNull();
  });
});

describe('CallLimits', () => {
  it('lets a flood from one caller reach a callee only a few times a minute, and floods from many callers are capped per callee', () => {
    const { time, now } = clock();
    const limits = new CallLimits({ callsPerMinute: 100, callsToOnePerMinute: 3, callsReceivedPerMinute: 5 }, now);
    const reached = Array.from({ length: 50 }, () => limits.reaches('mallory', 'victim')).filter((wait) => wait === 0);
    expect(reached).toHaveLength(3);
    const fromMany = Array.from({ length: 9 }, (_, i) => limits.reaches(`sock${i}`, 'victim')).filter((wait) => wait === 0);
    expect(fromMany).toHaveLength(2);
    expect(limits.reaches('friend', 'someone-else')).toBe(0);
    time.now += 60_000;
    expect(limits.reaches('friend', 'victim')).toBe(0);
  });

  it('counts every call a caller places', () => {
    const { now } = clock();
    const limits = new CallLimits({ callsPerMinute: 2, callsToOnePerMinute: 3, callsReceivedPerMinute: 5 }, now);
    expect([limits.placed('a'), limits.placed('a')]).toEqual([0, 0]);
    expect(limits.placed('a')).toBe(30_000);
  });
});

describe('clientAddress', () => {
  it('uses the peer address, IPv4-mapped as IPv4 and IPv6 by its /64', () => {
    expect(clientAddress('127.0.0.1', undefined, false)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:192.0.2.7', undefined, false)).toBe('192.0.2.7');
    expect(clientAddress('2001:db8:1:2:aaaa::1', undefined, false)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2:bbbb:cccc:dddd:eeee', undefined, false)).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1', undefined, false)).toBe('2001:db8:0:0::/64');
    expect(clientAddress(undefined, undefined, false)).toBe('unknown');
  });

  it('takes the last X-Forwarded-For address only when the proxy is trusted', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9, 198.51.100.4', false)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.9, 198.51.100.4', true)).toBe('198.51.100.4');
    expect(clientAddress('127.0.0.1', undefined, true)).toBe('127.0.0.1');
  });
});

describe('retryText', () => {
  it('says when to try again in plain words', () => {
    expect(retryText(300)).toBe('in a second');
    expect(retryText(20_000)).toBe('in 20 seconds');
    expect(retryText(60_000)).toBe('in a minute');
    expect(retryText(6 * 60_000)).toBe('in 6 minutes');
  });
});
