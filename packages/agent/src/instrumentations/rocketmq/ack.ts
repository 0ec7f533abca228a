import type { RocketMQState } from './rocketmq-state.js';
import type { AnyFn, ConsumerLike } from './rocketmq-types.js';

/**
 * Acks, invisibility changes and dead-lettering name the group the message came from,
 * which is not the consumer's group any more after a move. Each reads the group before
 * its first await, so the swap lasts exactly as long as the synchronous call.
 */
export function ackInGroupOfMessage(state: RocketMQState): (() => void)[] {
  function inGroupOfMessage(original: AnyFn): AnyFn {
    return function (this: ConsumerLike, ...args: unknown[]) {
      const from = state.messageGroups.get(args[0] as object);
      if (from === undefined || from === this.consumerGroup) return original.apply(this, args);
      const now = this.consumerGroup;
      this.consumerGroup = from;
      try {
        return original.apply(this, args);
      } finally {
        this.consumerGroup = now;
      }
    };
  }
  const consumer = state.mq.Consumer?.prototype;
  const push = state.mq.PushConsumer?.prototype;
  return [
    state.patch(consumer, 'ackMessage', 'Consumer#ackMessage', inGroupOfMessage),
    state.patch(consumer, 'invisibleDuration', 'Consumer#invisibleDuration', inGroupOfMessage),
    state.patch(push, 'wrapAckMessageRequest', 'PushConsumer#wrapAckMessageRequest', inGroupOfMessage),
    state.patch(
      push,
      'wrapChangeInvisibleDurationRequest',
      'PushConsumer#wrapChangeInvisibleDurationRequest',
      inGroupOfMessage,
    ),
    state.patch(
      push,
      'wrapForwardMessageToDeadLetterQueueRequest',
      'PushConsumer#wrapForwardMessageToDeadLetterQueueRequest',
      inGroupOfMessage,
    ),
  ];
}
