import { describe, expect, it } from 'vitest';
import { diffDocuments } from './audit-diff.js';

describe('audit diff', () => {
  it('lists added, removed and changed fields by path', () => {
    const rows = diffDocuments(
      { spec: { tag: 'gray', apps: ['a'], weight: 0 } },
      { spec: { tag: 'gray', apps: ['a', 'b'], fallback: 'strict' } },
    );
    expect(rows).toEqual([
      { path: 'spec.apps.0', before: '"a"', after: '"a"', change: 'same' },
      { path: 'spec.apps.1', before: undefined, after: '"b"', change: 'added' },
      { path: 'spec.fallback', before: undefined, after: '"strict"', change: 'added' },
      { path: 'spec.tag', before: '"gray"', after: '"gray"', change: 'same' },
      { path: 'spec.weight', before: '0', after: undefined, change: 'removed' },
    ]);
  });

  it('shows a created resource as all added and a deleted one as all removed', () => {
    expect(diffDocuments(null, { a: 1 })).toEqual([
      { path: 'a', before: undefined, after: '1', change: 'added' },
    ]);
    expect(diffDocuments({ a: 1 }, null)).toEqual([
      { path: 'a', before: '1', after: undefined, change: 'removed' },
    ]);
  });
});
