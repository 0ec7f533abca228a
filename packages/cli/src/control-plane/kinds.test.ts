import { describe, expect, it } from 'vitest';
import { kindOf } from './kinds.js';

describe('graylane get instances', () => {
  const groups = kindOf('instances').columns['CONSUMER GROUPS'] as (item: unknown) => string;

  it('lists each consumer group with the broker the agent named for it, Kafka next to RocketMQ', () => {
    expect(
      groups({
        consumerGroups: ['orders-events_gray', 'orders-push_gray'],
        metadata: {
          'consumer-groups.kafka': 'orders-events_gray',
          'consumer-groups.rocketmq': 'orders-push_gray',
        },
      }),
    ).toBe('kafka:orders-events_gray rocketmq:orders-push_gray');
  });

  it('falls back to the bare groups for an instance that names no broker, and a dash for none', () => {
    expect(groups({ consumerGroups: ['orders'] })).toBe('orders');
    expect(groups({})).toBe('-');
  });
});
