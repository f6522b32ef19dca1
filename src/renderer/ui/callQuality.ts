// A call's connection quality from its WebRTC stats, as the call view shows it.
import type { CallStatsView } from '../store/appStore';

export type CallQuality = { level: 'good' | 'fair' | 'poor'; reasons: string[] };

const LIMITS = {
  poor: { lossPercent: 5, roundTripMs: 400, jitterMs: 50 },
  fair: { lossPercent: 1, roundTripMs: 200, jitterMs: 20 },
};

export function callQuality(stats: CallStatsView | null): CallQuality | null {
  if (!stats) return null;
  const judge = (limits: (typeof LIMITS)['poor']) => {
    const reasons: string[] = [];
    if ((stats.packetsLostPercent ?? 0) > limits.lossPercent) reasons.push(`${(stats.packetsLostPercent ?? 0).toFixed(1)} % packet loss`);
    if ((stats.roundTripMs ?? 0) > limits.roundTripMs) reasons.push(`${Math.round(stats.roundTripMs ?? 0)} ms round trip`);
    if ((stats.jitterMs ?? 0) > limits.jitterMs) reasons.push(`${Math.round(stats.jitterMs ?? 0)} ms jitter`);
    return reasons;
  };
  const poor = judge(LIMITS.poor);
  if (poor.length) return { level: 'poor', reasons: poor };
  const fair = judge(LIMITS.fair);
  return fair.length ? { level: 'fair', reasons: fair } : { level: 'good', reasons: [] };
}
