import { describe, expect, it } from 'vitest';
import { parseDocuments } from './parse-documents.js';
import type { Lane } from './resources.js';
import { createTagPolicies, defaultTagPolicy } from './tag-policy.js';

const lanes = parseDocuments(`
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: strict-gray }
spec: { tag: gray, priority: 10, fallback: strict, propagation: false }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: loose-gray }
spec: { tag: gray, priority: 1 }
`) as Lane[];

describe('createTagPolicies', () => {
  it('uses the highest-priority lane of a tag', () => {
    expect(createTagPolicies(lanes)('gray')).toEqual({ fallback: 'strict', propagation: false });
  });

  it('treats a tag without a lane as propagating with baseline fallback', () => {
    expect(createTagPolicies(lanes)('blue')).toBe(defaultTagPolicy);
    expect(defaultTagPolicy).toEqual({ fallback: 'baseline', propagation: true });
  });
});
