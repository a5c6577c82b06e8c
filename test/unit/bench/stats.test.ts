import { describe, expect, it } from 'vitest';
import { empiricalCdf, percentileOfSorted, round, summarize } from '#bench/stats';

describe('Benchmark statistics', () => {
  it('takes nearest-rank percentiles of one to a hundred samples', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(hundred, 50)).toBe(50);
    expect(percentileOfSorted(hundred, 95)).toBe(95);
    expect(percentileOfSorted(hundred, 99)).toBe(99);
    expect(percentileOfSorted(hundred, 100)).toBe(100);
    expect(percentileOfSorted([7], 95)).toBe(7);
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentileOfSorted([1], 0)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], 101)).toThrow(RangeError);
  });

  it('summarises unsorted samples without changing them', () => {
    const samples = [30, 10, 20, 50, 40];
    const summary = summarize(samples);
    expect(summary).toEqual({ count: 5, min: 10, p50: 30, p95: 50, p99: 50, max: 50, mean: 30 });
    expect(samples).toEqual([30, 10, 20, 50, 40]);
  });

  it('reports no samples as a count of 0 with NaN statistics', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.p95).toBeNaN();
    expect(summary.max).toBeNaN();
  });

  it('refuses a sample that is not a finite number', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(RangeError);
    expect(() => summarize([Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });

  it('builds an empirical CDF with one point per distinct value, ending at 1', () => {
    expect(empiricalCdf([3, 1, 2, 2])).toEqual([
      { value: 1, fraction: 0.25 },
      { value: 2, fraction: 0.75 },
      { value: 3, fraction: 1 },
    ]);
    expect(empiricalCdf([])).toEqual([]);
  });

  it('rounds for reports', () => {
    expect(round(1.26, 1)).toBe(1.3);
    expect(round(1234.5678, 0)).toBe(1235);
  });
});
