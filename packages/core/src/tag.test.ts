import { describe, expect, it } from 'vitest';
import { parseDocuments } from './parse-documents.js';
import { assertTag, isValidTag, metricTag } from './tag.js';

describe('tags', () => {
  it('refuses the reserved name baseline with GL_TAG_RESERVED and accepts the empty baseline', () => {
    expect(isValidTag('baseline')).toBe(false);
    expect(() => assertTag('baseline')).toThrow(expect.objectContaining({ code: 'GL_TAG_RESERVED' }));
    expect(() => assertTag('Gray')).toThrow(expect.objectContaining({ code: 'GL_TAG_INVALID' }));
    expect(assertTag('')).toBe('');
    expect(assertTag('baseline-2')).toBe('baseline-2');
  });

  it('refuses a Lane whose tag is baseline, naming the field', () => {
    const doc = 'apiVersion: graylane.io/v1\nkind: Lane\nmetadata: { name: b }\nspec: { tag: baseline }\n';
    let error: unknown;
    try {
      parseDocuments(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'GL_RULE_INVALID', issues: [{ path: 'spec.tag' }] });
    expect(String((error as Error).message)).toContain('reserved');
  });

  it('names untagged traffic baseline in metrics', () => {
    expect(metricTag('')).toBe('baseline');
    expect(metricTag('gray')).toBe('gray');
  });
});
