import { describe, expect, it } from 'vitest';
import { INSTANCE_LIMITS, reportableGroups } from './instance-limits.js';

describe('reportableGroups', () => {
  it('keeps a report that fits as it is, sorted and labelled per broker', () => {
    expect(reportableGroups(['b', 'a', 'b'], { kafka: ['b'], rocketmq: ['a'] })).toEqual({
      groups: ['a', 'b'],
      metadata: { 'consumer-groups.kafka': 'b', 'consumer-groups.rocketmq': 'a' },
      dropped: [],
    });
  });

  it('leaves out a group name longer than the registry accepts, and says so', () => {
    const long = 'g'.repeat(INSTANCE_LIMITS.groupChars + 1);
    const report = reportableGroups(['orders', long], { kafka: ['orders', long] });
    expect(report.groups).toEqual(['orders']);
    expect(report.metadata).toEqual({ 'consumer-groups.kafka': 'orders' });
    expect(report.dropped).toEqual([long]);
  });

  it('keeps at most as many groups as the registry accepts', () => {
    const many = Array.from({ length: 130 }, (_, i) => `group-${String(i).padStart(3, '0')}`);
    const report = reportableGroups(many);
    expect(report.groups).toHaveLength(INSTANCE_LIMITS.consumerGroups);
    expect(report.dropped).toHaveLength(30);
  });

  it('keeps each broker list within the metadata limit, whole names only', () => {
    const many = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(200)}-${i}`);
    const report = reportableGroups(many, { kafka: many });
    const list = report.metadata['consumer-groups.kafka'] as string;
    expect(list.length).toBeLessThanOrEqual(INSTANCE_LIMITS.metadataChars);
    expect(list.split(',').every((g) => many.includes(g))).toBe(true);
    expect(report.dropped.length).toBe(many.length - list.split(',').length);
  });
});
