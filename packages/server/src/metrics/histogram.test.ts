import { describe, expect, it } from 'vitest';
import { quantile, rebin } from './histogram.js';

describe('rebin', () => {
  it('moves each agent bucket to the first server bucket whose bound is at least its own', () => {
    const counts = rebin([3, 10, 40, 20_000], [1, 2, 3, 4, 5]);
    // bounds 1, 2, 5, 10, 25, 50, ... 10000, then overflow
    expect(counts[2]).toBe(1); // ≤3 → ≤5
    expect(counts[3]).toBe(2); // ≤10 → ≤10
    expect(counts[5]).toBe(3); // ≤40 → ≤50
    expect(counts.at(-1)).toBe(4 + 5); // ≤20000 and the overflow are both slower than 10 s
    expect(counts.reduce((a, b) => a + b, 0)).toBe(15);
  });
});

describe('quantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    const counts = rebin([10, 100], [50, 50, 0]);
    expect(quantile(counts, 0.5)).toBe(10);
    expect(quantile(counts, 0.75)).toBeCloseTo(75, 5); // halfway through (50, 100]
  });

  it('is null without data and reports the last bound for the overflow bucket', () => {
    expect(quantile(rebin([], []), 0.99)).toBeNull();
    expect(quantile(rebin([], [7]), 0.99)).toBe(10_000);
  });
});
