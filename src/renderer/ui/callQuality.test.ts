import { describe, expect, it } from 'vitest';
import { callQuality } from './callQuality';
import type { CallStatsView } from '../store/appStore';

const stats = (patch: Partial<CallStatsView>): CallStatsView => ({
  totalSamplesReceived: 0,
  roundTripMs: 20,
  jitterMs: 3,
  packetsLostPercent: 0,
  inboundKbps: 40,
  outboundKbps: 40,
  ...patch,
});

describe('call quality', () => {
  it('is unknown without stats, good on a clean link', () => {
    expect(callQuality(null)).toBeNull();
    expect(callQuality(stats({}))).toEqual({ level: 'good', reasons: [] });
  });

  it('is fair, then poor, as loss, delay and jitter grow, with the reasons', () => {
    expect(callQuality(stats({ packetsLostPercent: 2 }))).toEqual({ level: 'fair', reasons: ['2.0 % packet loss'] });
    expect(callQuality(stats({ packetsLostPercent: 8, roundTripMs: 500 }))).toEqual({
      level: 'poor',
      reasons: ['8.0 % packet loss', '500 ms round trip'],
    });
    expect(callQuality(stats({ jitterMs: 60 }))?.level).toBe('poor');
  });
});
