import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, stableHash } from './stable-hash.js';

describe('stableHash', () => {
  it('is FNV-1a over UTF-8, reproducible anywhere', () => {
    // Reference values of 32-bit FNV-1a.
    expect(stableHash('')).toBe(0x811c9dc5);
    expect(stableHash('a')).toBe(0xe40c292c);
    expect(stableHash('foobar')).toBe(0xbf9cf968);
    expect(stableHash('é')).toBe(stableHash('\u00e9'));
  });

  it('spreads user ids evenly over the 100 buckets', () => {
    const counts = new Array(100).fill(0);
    for (let i = 0; i < 100000; i++) counts[bucketOf(`user-${i}`)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });

  it('always lands in 0..99', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const b = bucketOf(s);
        expect(Number.isInteger(b) && b >= 0 && b < 100).toBe(true);
      }),
    );
  });
});
