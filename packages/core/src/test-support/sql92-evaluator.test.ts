import { describe, expect, it } from 'vitest';
import { evaluateSql92 } from './sql92-evaluator.js';

const none = new Map<string, string>();
const gray = new Map([['graylane_tag', 'gray']]);

describe('the test SQL92 evaluator', () => {
  it('treats comparisons on a missing property as unknown, like the broker', () => {
    expect(evaluateSql92("graylane_tag NOT IN ('gray')", none)).toBe(false);
    expect(evaluateSql92("graylane_tag <> 'gray'", none)).toBe(false);
    expect(evaluateSql92("NOT (graylane_tag = 'gray')", none)).toBe(false);
    expect(evaluateSql92("(graylane_tag IS NULL) OR (graylane_tag NOT IN ('gray'))", none)).toBe(true);
  });

  it('evaluates present properties with AND, OR, IN and IS NOT NULL', () => {
    expect(evaluateSql92("graylane_tag = 'gray' AND graylane_tag IS NOT NULL", gray)).toBe(true);
    expect(evaluateSql92("graylane_tag IN ('blue', 'gray')", gray)).toBe(true);
    expect(evaluateSql92("graylane_tag NOT IN ('gray') OR graylane_tag = 'x'", gray)).toBe(false);
  });

  it('rejects text outside its subset instead of guessing', () => {
    expect(() => evaluateSql92('a > 1', gray)).toThrow();
    expect(() => evaluateSql92("a = 'x' )", gray)).toThrow();
  });
});
