// Summary statistics for benchmark samples. Nearest-rank percentiles: the smallest sample with at
// least p of all samples at or below it.

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

export const median = (samples: readonly number[]): number => summarize(samples).median;

/** A number with `digits` decimals, or with fewer significant figures when it is large. */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
}
