import { type ConsumerPlace, consumerPlace, grayConsumerGroup } from '@graylane/core/runtime';
import { messageGrayscaleSettings } from '../message-grayscale-settings.js';
import { type CursorKeeper, startCursorKeeper } from './cursor-keeper.js';
import type { RocketMQState } from './rocketmq-state.js';
import { type AsyncFn, type ConsumerLike, FILTER_TAG } from './rocketmq-types.js';
import { LONG_POLL_CAP_MS, moveConsumer } from './settings.js';

// The cursor keeper's filter: a message tag no message carries.
const CURSOR_TAG = 'graylane-cursor-keeper';

/**
 * Which group each consumer polls: a consumer on a tagged instance starts in
 * `<group>_<tag>` when grayscale is on at startup (the receive filter moves it later),
 * and its gray group's position is kept at the end while it polls the original group.
 * Returns the undo and `confirmJoin`, which the receive filter calls once the broker
 * has seen a pop of the gray group.
 */
export function placeConsumers(state: RocketMQState): {
  undo: (() => void)[];
  confirmJoin(consumer: object, group: string | undefined): void;
} {
  const { agent, places, keepers, pendingJoins } = state;
  const tag = agent.config.tag;

  async function place(consumer: ConsumerLike): Promise<void> {
    if (places.has(consumer)) return;
    // The first config decides the group the consumer starts in.
    await agent.ready(3000);
    const originalGroup = consumer.consumerGroup;
    const grayGroup = tag === '' ? undefined : grayConsumerGroup(originalGroup, tag);
    const entry = consumerPlace(originalGroup, grayGroup);
    moveConsumer(entry, messageGrayscaleSettings(agent), Date.now());
    places.set(consumer, entry);
    consumer.consumerGroup = entry.group;
    // The settings object captured the group at construction: it reports the current one.
    const settingsObject = consumer.getSettings();
    const toProtobuf = settingsObject.toProtobuf;
    settingsObject.toProtobuf = function (this: unknown) {
      const pb = toProtobuf.call(this);
      pb.getSubscription?.()?.getGroup?.()?.setName(consumer.consumerGroup);
      return pb;
    };
    if (entry.group !== originalGroup)
      agent.log.info(
        `RocketMQ consumer group ${originalGroup} joins as ${entry.group} (instance tag ${tag})`,
      );
    if (grayGroup !== undefined) keepers.set(consumer, keepCursor(consumer, entry, grayGroup));
    state.report();
  }

  function keepCursor(consumer: ConsumerLike, entry: ConsumerPlace, grayGroup: string): CursorKeeper {
    const filter = new state.mq.FilterExpression(CURSOR_TAG, FILTER_TAG);
    return startCursorKeeper({
      place: entry,
      async poll(queue) {
        const current = consumer.consumerGroup;
        consumer.consumerGroup = grayGroup;
        let request: unknown;
        try {
          request = state.buildReceive?.call(consumer, 1, queue, filter, 30_000, LONG_POLL_CAP_MS);
        } finally {
          consumer.consumerGroup = current;
        }
        // Nothing carries the tag; anything that did would become visible again to the gray group.
        await state.receive?.call(consumer, request, queue, LONG_POLL_CAP_MS);
      },
      idle() {
        if (pendingJoins.delete(consumer)) confirmJoin(consumer, grayGroup);
      },
      failed: (error) =>
        agent.log.debug(
          `keeping the position of ${grayGroup} failed (${(error as Error)?.message}); grayscale turned on later may deliver older gray messages again`,
        ),
    });
  }

  /** The broker has (or will have had) a pop of this consumer's new gray group: report it. */
  function confirmJoin(consumer: object, group: string | undefined): void {
    const entry = places.get(consumer);
    if (entry === undefined || entry.joined || group === undefined || entry.group !== group) return;
    if (group !== entry.grayGroup) return;
    if (keepers.get(consumer)?.busy()) {
      pendingJoins.add(consumer);
      return;
    }
    entry.joined = true;
    state.report();
  }

  function wrapStartup(original: AsyncFn): AsyncFn {
    return async function startup(this: ConsumerLike, ...args: unknown[]) {
      try {
        await place(this);
      } catch (error) {
        state.fail('consumer startup', error);
      }
      return original.apply(this, args);
    };
  }
  function wrapShutdown(original: AsyncFn): AsyncFn {
    return async function shutdown(this: ConsumerLike, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } finally {
        keepers.get(this)?.stop();
        keepers.delete(this);
        pendingJoins.delete(this);
        if (places.delete(this)) state.report();
      }
    };
  }
  const undo: (() => void)[] = [];
  for (const [name, consumer] of [
    ['SimpleConsumer', state.mq.SimpleConsumer?.prototype],
    ['PushConsumer', state.mq.PushConsumer?.prototype],
  ] as const) {
    undo.push(state.patch(consumer, 'startup', `${name}#startup`, wrapStartup));
    undo.push(state.patch(consumer, 'shutdown', `${name}#shutdown`, wrapShutdown));
  }
  undo.push(() => {
    for (const keeper of keepers.values()) keeper.stop();
    keepers.clear();
  });
  return { undo, confirmJoin };
}
