import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEP_EVERY_MS, type MessageQueueLike, startCursorKeeper } from './cursor-keeper.js';
import { consumerPlace } from './settings.js';

const queue = (queueId: number): MessageQueueLike => ({
  topic: { name: 'orders' },
  queueId,
  broker: { name: 'b' },
});

function setup() {
  const place = consumerPlace('orders', 'orders_gray');
  const polls: { queue: MessageQueueLike; end: () => void }[] = [];
  const idle = vi.fn();
  const keeper = startCursorKeeper({
    place,
    poll: (q) => new Promise<void>((resolve) => polls.push({ queue: q, end: resolve })),
    idle,
    failed: () => {},
  });
  return { place, polls, idle, keeper };
}

describe('startCursorKeeper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls each queue it saw once at a time while the consumer is in its original group', async () => {
    const { polls, idle, keeper } = setup();
    keeper.saw(queue(0));
    keeper.saw(queue(1));
    keeper.saw(queue(1));
    await vi.advanceTimersByTimeAsync(KEEP_EVERY_MS);
    expect(polls.map((p) => p.queue.queueId)).toEqual([0, 1]);
    expect(keeper.busy()).toBe(true);
    await vi.advanceTimersByTimeAsync(KEEP_EVERY_MS);
    expect(polls).toHaveLength(2);
    for (const p of polls) p.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(keeper.busy()).toBe(false);
    expect(idle).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(KEEP_EVERY_MS);
    expect(polls).toHaveLength(4);
    keeper.stop();
  });

  it('leaves the gray group alone while the consumer polls it, and stops for good', async () => {
    const { place, polls, keeper } = setup();
    keeper.saw(queue(0));
    place.group = 'orders_gray';
    await vi.advanceTimersByTimeAsync(KEEP_EVERY_MS * 3);
    expect(polls).toHaveLength(0);
    place.group = 'orders';
    keeper.stop();
    await vi.advanceTimersByTimeAsync(KEEP_EVERY_MS * 3);
    expect(polls).toHaveLength(0);
  });
});
