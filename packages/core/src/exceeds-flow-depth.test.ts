import { describe, expect, it } from 'vitest';
import { exceedsFlowDepth } from './exceeds-flow-depth.js';

describe('exceedsFlowDepth', () => {
  it('finds flow collections and one-line block entries nested past the limit', () => {
    expect(exceedsFlowDepth('['.repeat(11), 10)).toBe(true);
    expect(exceedsFlowDepth('{"a": '.repeat(11), 10)).toBe(true);
    expect(exceedsFlowDepth('- '.repeat(11), 10)).toBe(true);
    expect(exceedsFlowDepth('? '.repeat(11), 10)).toBe(true);
    expect(exceedsFlowDepth('a: !!map {'.repeat(11), 10)).toBe(true);
    expect(exceedsFlowDepth('&x ['.repeat(11), 10)).toBe(true);
  });

  it('passes nesting at the limit, and brackets in strings, comments and plain scalars', () => {
    expect(exceedsFlowDepth(`${'['.repeat(10)}${']'.repeat(10)}`, 10)).toBe(false);
    expect(exceedsFlowDepth(`a: "${'['.repeat(50)}"\nb: '${'{'.repeat(50)}'`, 10)).toBe(false);
    expect(exceedsFlowDepth(`# ${'['.repeat(50)}\nvalue: a${'['.repeat(50)}`, 10)).toBe(false);
    expect(exceedsFlowDepth(`- ${'[a], '.repeat(50)}`, 10)).toBe(false);
    expect(exceedsFlowDepth(`${'- x\n'.repeat(50)}`, 10)).toBe(false);
  });

  it('is not hidden by a quote inside a plain scalar', () => {
    expect(exceedsFlowDepth(`- don't\n- ${'['.repeat(11)}`, 10)).toBe(true);
  });
});
