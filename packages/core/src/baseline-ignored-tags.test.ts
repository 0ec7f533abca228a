import { describe, expect, it } from 'vitest';
import { baselineIgnoredTags } from './baseline-ignored-tags.js';
import type { Instance } from './config-snapshot.js';

const instance = (tag: string, consumerGroups?: string[]): Instance => ({
  id: `orders-${tag || 'base'}-${consumerGroups?.join('+') ?? 'none'}`,
  app: 'orders',
  namespace: 'default',
  tag,
  address: '10.0.0.1',
  ports: {},
  consumerGroups,
  lastHeartbeat: 0,
});

const base = { group: 'orders', listed: [] as string[], auto: false };

describe('baselineIgnoredTags', () => {
  it('ignores nothing when nothing is listed and auto is off', () => {
    expect(baselineIgnoredTags({ ...base, instances: [instance('gray', ['orders_gray'])] })).toEqual([]);
  });

  it('skips a listed tag that has no live instance, as the operator asked', () => {
    expect(baselineIgnoredTags({ ...base, listed: ['gray'], instances: [instance('')] })).toEqual(['gray']);
  });

  it('keeps a listed tag while its live instance is still joining the gray group', () => {
    const joining = instance('gray', ['orders']);
    expect(baselineIgnoredTags({ ...base, listed: ['gray'], instances: [joining] })).toEqual([]);
    const joined = instance('gray', ['orders_gray']);
    expect(baselineIgnoredTags({ ...base, listed: ['gray'], instances: [joining, joined] })).toEqual([
      'gray',
    ]);
  });

  it('in auto mode skips exactly the tags with a live consumer of their gray group', () => {
    const instances = [
      instance(''),
      instance('gray', ['orders_gray', 'audit_gray']),
      instance('blue', ['audit_blue']),
      instance('green'),
    ];
    expect(baselineIgnoredTags({ ...base, auto: true, instances })).toEqual(['gray']);
    expect(baselineIgnoredTags({ ...base, group: 'audit', auto: true, instances })).toEqual(['blue', 'gray']);
  });

  it('joins listed and auto tags without repeating one', () => {
    const instances = [instance('gray', ['orders_gray'])];
    expect(baselineIgnoredTags({ ...base, listed: ['gray', 'canary'], auto: true, instances })).toEqual([
      'canary',
      'gray',
    ]);
  });
});
