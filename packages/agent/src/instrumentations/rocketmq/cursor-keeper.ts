import type { ConsumerPlace } from './settings.js';

/** A message queue as `rocketmq-client-nodejs` hands it to a receive request. */
export interface MessageQueueLike {
  topic?: { name?: string };
  queueId?: number;
  broker?: { name?: string };
}

/** How often the keeper polls, at most: one short long poll per queue each time. */
export const KEEP_EVERY_MS = 5_000;

/**
 * While a tagged instance's consumer polls its original group (grayscale off), its
 * gray group `<group>_<tag>` would keep its position where the consumer left it (or,
 * for a group that never consumed, at the start of a young topic), and turning
 * grayscale on would hand the gray consumer every gray message sent meanwhile — which
 * the original group has consumed already. The keeper polls the gray group with a tag
 * no message carries, so the broker moves its position to the end of each queue and
 * hands out nothing.
 */
export interface CursorKeeper {
  /** A queue the consumer polls; the keeper polls the same ones. */
  saw(queue: MessageQueueLike): void;
  /** Whether a keeper poll is parked on the broker: it would skip gray messages for the gray group. */
  busy(): boolean;
  stop(): void;
}

export interface CursorKeeperOptions {
  place: ConsumerPlace;
  /** One keeper receive on the gray group, for one queue. */
  poll(queue: MessageQueueLike): Promise<unknown>;
  /** Called when the last keeper poll in flight has ended. */
  idle(): void;
  failed(error: unknown): void;
}

export function startCursorKeeper(options: CursorKeeperOptions): CursorKeeper {
  const { place } = options;
  const queues = new Map<string, MessageQueueLike>();
  let inFlight = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function tick(): void {
    timer = undefined;
    if (stopped) return;
    if (place.group !== place.grayGroup && inFlight === 0) {
      for (const queue of queues.values()) {
        inFlight++;
        options
          .poll(queue)
          .catch(options.failed)
          .finally(() => {
            if (--inFlight === 0) options.idle();
          });
      }
    }
    timer = setTimeout(tick, KEEP_EVERY_MS).unref();
  }
  timer = setTimeout(tick, KEEP_EVERY_MS).unref();

  return {
    saw(queue) {
      const key = `${queue.topic?.name}/${queue.broker?.name}/${queue.queueId}`;
      if (!queues.has(key)) queues.set(key, queue);
    },
    busy: () => inFlight > 0,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
