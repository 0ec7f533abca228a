import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGraylaneError } from './graylane-error.js';
import { selectCandidates } from './select-candidates.js';

const base1 = { id: 'b1', tag: '' };
const base2 = { id: 'b2', tag: '' };
const gray1 = { id: 'g1', tag: 'gray' };
const blue1 = { id: 'u1', tag: 'blue' };

describe('selectCandidates', () => {
  it('sends tagged traffic to instances with the same tag', () => {
    expect(selectCandidates([base1, gray1, blue1], 'gray', 'baseline')).toEqual({
      candidates: [gray1],
      fellBack: false,
    });
  });

  it('sends untagged traffic only to untagged instances', () => {
    expect(selectCandidates([base1, gray1, base2], '', 'baseline')).toEqual({
      candidates: [base1, base2],
      fellBack: false,
    });
  });

  it('falls back to the baseline when the tag has no instance', () => {
    expect(selectCandidates([base1, blue1], 'gray', 'baseline')).toEqual({
      candidates: [base1],
      fellBack: true,
    });
  });

  it('fails with a clear error under strict fallback', () => {
    expect(() => selectCandidates([base1], 'gray', 'strict', 'spring-cloud-b')).toThrow(
      expect.objectContaining({
        code: 'GL_STRICT_NO_TAGGED_INSTANCE',
        message: expect.stringContaining('GRAYLANE_TAG=gray'),
      }),
    );
  });

  it('fails with GL_NO_INSTANCE when there is nothing to send to', () => {
    expect(() => selectCandidates([gray1], '', 'baseline', 'c')).toThrow(
      expect.objectContaining({ code: 'GL_NO_INSTANCE' }),
    );
    expect(() => selectCandidates([], 'gray', 'baseline', 'c')).toThrow(
      /no instance tagged "gray" and no baseline/,
    );
  });

  it('never sends traffic to an instance of another tag, whatever the instances', () => {
    const tag = fc.constantFrom('', 'gray', 'blue');
    const instances = fc.array(fc.record({ id: fc.uuid(), tag }), { maxLength: 8 });
    fc.assert(
      fc.property(instances, tag, fc.constantFrom('baseline', 'strict'), (list, want, fallback) => {
        try {
          const { candidates, fellBack } = selectCandidates(list, want, fallback);
          expect(candidates.length).toBeGreaterThan(0);
          const expected = fellBack ? '' : want;
          for (const c of candidates) expect(c.tag).toBe(expected);
          if (fellBack) expect(list.some((i) => i.tag === want)).toBe(false);
        } catch (error) {
          expect(isGraylaneError(error)).toBe(true);
        }
      }),
    );
  });
});
