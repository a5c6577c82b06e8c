/**
 * Summary statistics of a benchmark's samples: nearest-rank percentiles, maximum and count. Pure.
 */

/** What every latency figure reports. */
export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The nearest-rank percentile `p` (0 < p ≤ 100) of samples already sorted ascending; NaN when there are none. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarises samples (non-finite ones are refused: a benchmark never hides a failed measurement in NaN). */
export function summarize(samples: readonly number[]): Summary {
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`sample ${String(s)} is not a finite number`);
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    min: sorted.length ? sorted[0]! : Number.NaN,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** The empirical CDF of samples: one point per distinct value, `fraction` of samples ≤ `value`. */
export function empiricalCdf(samples: readonly number[]): { value: number; fraction: number }[] {
  const sorted = [...samples].sort((a, b) => a - b);
  const points: { value: number; fraction: number }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i + 1 < sorted.length && sorted[i + 1] === sorted[i]) continue;
    points.push({ value: sorted[i]!, fraction: (i + 1) / sorted.length });
  }
  return points;
}

/** Rounds to `digits` decimals (for reports). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
