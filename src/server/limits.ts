// Limits that hold across connections and accounts: token buckets keyed by address, account or
// caller–callee pair, and a count of the connections that have not logged in yet. One client
// opening many connections, or many accounts acting together, meets the same limit. Memory is
// bounded: a bucket that has filled up again is the same as none and is dropped, and past
// `maxKeys` the least recently used bucket goes.
import { isIPv6 } from 'node:net';

/** What a deployment can set (server flags, see config.ts); each has a default it can keep. */
export interface Limits {
  /** Connections not logged in yet, in all; more are refused at the HTTP upgrade (503). */
  pendingConnections: number;
  /** ... and from one address. */
  pendingPerAddress: number;
  /** Login and register attempts per address per minute. */
  loginsPerAddressPerMinute: number;
  /** Login and register attempts per minute from everyone together. */
  loginsPerMinute: number;
  /** New accounts per address per hour. */
  registrationsPerAddressPerHour: number;
  /** New accounts per minute from everyone together. */
  registrationsPerMinute: number;
  /** Calls one account may place per minute (every invite counts, refused or not). */
  callsPerMinute: number;
  /** Calls from one caller that may ring one callee, or reach it as missed, per minute. */
  callsToOnePerMinute: number;
  /** Calls that may ring one callee, or reach it as missed, per minute from everyone together. */
  callsReceivedPerMinute: number;
  /** Messages one account may send per second, over all its connections. */
  messagesPerSecond: number;
  /** Take the client's address from X-Forwarded-For (set only behind a reverse proxy that sets it). */
  trustProxy: boolean;
}

export const DEFAULT_LIMITS: Limits = {
  pendingConnections: 1000,
  pendingPerAddress: 20,
  loginsPerAddressPerMinute: 30,
  loginsPerMinute: 1200,
  registrationsPerAddressPerHour: 10,
  registrationsPerMinute: 60,
  callsPerMinute: 20,
  callsToOnePerMinute: 5,
  callsReceivedPerMinute: 12,
  messagesPerSecond: 50,
  trustProxy: false,
};

const MAX_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per key: `burst` tokens, refilled at `burst` per `periodMs`. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    periodMs: number,
    private readonly maxKeys = MAX_KEYS,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = burst / periodMs;
  }

  /** Buckets held (for tests: memory stays bounded). */
  get size(): number {
    return this.buckets.size;
  }

  /** Milliseconds until `key` has a token; 0 when it has one now. */
  waitMs(key: string): number {
    const tokens = this.tokens(key, this.now());
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.perMs);
  }

  /** Takes a token for `key`; gives the milliseconds to wait instead when there is none. */
  take(key: string): number {
    const wait = this.waitMs(key);
    if (wait > 0) return wait;
    const now = this.now();
    const tokens = this.tokens(key, now) - 1;
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) this.dropOldest();
    this.buckets.set(key, { tokens, at: now });
    this.dropOldestIfFull(now);
    return 0;
  }

  private tokens(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.burst;
    return Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
  }

  /** The least recently used bucket goes first: a full one holds nothing worth keeping. */
  private dropOldestIfFull(now: number): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done && this.tokens(oldest.value, now) >= this.burst) this.buckets.delete(oldest.value);
  }

  private dropOldest(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}

/** Takes a token from every limiter for its key if all have one, none otherwise; gives the longest wait. */
export function takeAll(checks: readonly (readonly [RateLimiter, string])[]): number {
  const wait = Math.max(0, ...checks.map(([limiter, key]) => limiter.waitMs(key)));
  if (wait > 0) return wait;
  for (const [limiter, key] of checks) limiter.take(key);
  return 0;
}

/** Counts connections that have not logged in, in all and per address. */
export class PendingConnections {
  private readonly perAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<Limits, 'pendingConnections' | 'pendingPerAddress'>) {}

  get count(): number {
    return this.total;
  }

  /** Takes a place for a connection from `address`: a release function (safe to call twice), or null when full. */
  admit(address: string): (() => void) | null {
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.total >= this.limits.pendingConnections || fromAddress >= this.limits.pendingPerAddress) return null;
    this.total += 1;
    this.perAddress.set(address, fromAddress + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    };
  }
}

/** The limits on calls: per caller, per caller–callee pair and per callee. */
export class CallLimits {
  private readonly byCaller: RateLimiter;
  private readonly byPair: RateLimiter;
  private readonly byCallee: RateLimiter;

  constructor(limits: Pick<Limits, 'callsPerMinute' | 'callsToOnePerMinute' | 'callsReceivedPerMinute'>, now: () => number = Date.now) {
    this.byCaller = new RateLimiter(limits.callsPerMinute, 60_000, MAX_KEYS, now);
    this.byPair = new RateLimiter(limits.callsToOnePerMinute, 60_000, MAX_KEYS, now);
    this.byCallee = new RateLimiter(limits.callsReceivedPerMinute, 60_000, MAX_KEYS, now);
  }

  /** `caller` places a call: milliseconds to wait when it places too many. */
  placed(caller: string): number {
    return this.byCaller.take(caller);
  }

  /** A call is about to ring `callee` or reach it as missed: milliseconds to wait when too many do. */
  reaches(caller: string, callee: string): number {
    return takeAll([
      [this.byPair, `${caller}\n${callee}`],
      [this.byCallee, callee],
    ]);
  }
}

/**
 * The address limits are kept by: the connection's peer address, or with `trustProxy` the
 * address the proxy appended last to X-Forwarded-For. IPv4-mapped IPv6 counts as IPv4; an IPv6
 * address counts by its /64 (one host usually has a whole /64).
 */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  let address = remoteAddress ?? 'unknown';
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const last = header.split(',').at(-1)?.trim();
    if (last) address = last;
  }
  if (address.toLowerCase().startsWith('::ffff:') && !isIPv6(address.slice(7))) return address.slice(7);
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [''];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...(tail !== undefined ? zeros : []), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** "in 20 seconds", "in a minute", "in 5 minutes": when a refused request may be tried again. */
export function retryText(waitMs: number): string {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  if (seconds === 1) return 'in a second';
  if (seconds < 50) return `in ${seconds} seconds`;
  if (seconds <= 90) return 'in a minute';
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

/** Everything the signaling server limits, built from the configured `Limits`. */
export class ServerLimits {
  readonly pending: PendingConnections;
  readonly calls: CallLimits;
  private readonly loginsByAddress: RateLimiter;
  private readonly logins: RateLimiter;
  private readonly registrationsByAddress: RateLimiter;
  private readonly registrations: RateLimiter;
  private readonly messagesByAccount: RateLimiter;

  constructor(
    readonly limits: Limits,
    now: () => number = Date.now,
  ) {
    this.pending = new PendingConnections(limits);
    this.calls = new CallLimits(limits, now);
    this.loginsByAddress = new RateLimiter(limits.loginsPerAddressPerMinute, 60_000, MAX_KEYS, now);
    this.logins = new RateLimiter(limits.loginsPerMinute, 60_000, MAX_KEYS, now);
    this.registrationsByAddress = new RateLimiter(limits.registrationsPerAddressPerHour, 3_600_000, MAX_KEYS, now);
    this.registrations = new RateLimiter(limits.registrationsPerMinute, 60_000, MAX_KEYS, now);
    // A burst of two seconds' worth, as the per-connection bucket has.
    this.messagesByAccount = new RateLimiter(limits.messagesPerSecond * 2, 2000, MAX_KEYS, now);
  }

  /** The address of an HTTP request, as the limits count it. */
  addressOf(request: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> }): string {
    return clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], this.limits.trustProxy);
  }

  /** A login or register attempt from `address`: milliseconds to wait when there are too many. */
  login(address: string): number {
    return takeAll([
      [this.loginsByAddress, address],
      [this.logins, ''],
    ]);
  }

  /** A new account from `address`: milliseconds to wait when there are too many. */
  registration(address: string): number {
    return takeAll([
      [this.registrationsByAddress, address],
      [this.registrations, ''],
    ]);
  }

  /** A message from the account `handle`: milliseconds to wait when it sends too many. */
  message(handle: string): number {
    return this.messagesByAccount.take(handle);
  }
}
