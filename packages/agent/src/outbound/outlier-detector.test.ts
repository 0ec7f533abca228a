import { describe, expect, it } from 'vitest';
import { createOutlierDetector } from './outlier-detector.js';

describe('createOutlierDetector', () => {
  it('ejects an instance after consecutive failures, for a back-off that grows with each ejection', () => {
    let now = 0;
    const d = createOutlierDetector({ consecutiveFailures: 2, baseEjectionMs: 1000, now: () => now });
    expect(d.failure('a')).toBe(false);
    expect(d.isEjected('a')).toBe(false);
    expect(d.failure('a')).toBe(true);
    expect(d.isEjected('a')).toBe(true);
    expect(d.ejected).toBe(1);
    now = 1001;
    expect(d.isEjected('a')).toBe(false);
    d.failure('a');
    d.failure('a');
    now = 2500;
    expect(d.isEjected('a')).toBe(true); // second ejection: 2 s
    now = 3002;
    expect(d.isEjected('a')).toBe(false);
    expect(d.ejected).toBe(0);
  });

  it('an answer ends the failure streak', () => {
    const d = createOutlierDetector({ consecutiveFailures: 2 });
    d.failure('a');
    expect(d.isFailing('a')).toBe(true);
    d.success('a');
    expect(d.isFailing('a')).toBe(false);
    expect(d.failure('a')).toBe(false);
    expect(d.isEjected('a')).toBe(false);
  });
});
