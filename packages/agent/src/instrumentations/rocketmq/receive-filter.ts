import {
  clientFilter,
  isValidTag,
  type LaneSelection,
  type OwnFilter,
  propertyOf,
  sql92Filter,
  TAG_PROPERTY,
} from '@graylane/core/runtime';
import { laneSelection, messageGrayscaleSettings } from '../message-grayscale-settings.js';
import type { MessageQueueLike } from './cursor-keeper.js';
import { explainReceiveError } from './receive-errors.js';
import type { RocketMQState } from './rocketmq-state.js';
import {
  type AnyFn,
  type ConsumerLike,
  FILTER_SQL,
  FILTER_TAG,
  type FilterExpressionLike,
  type MessageViewLike,
} from './rocketmq-types.js';
import { LONG_POLL_CAP_MS, moveConsumer } from './settings.js';

// A gray group's position exists once the broker ran a first pop for it; a receive
// that has neither failed nor answered after this long has reached the broker.
const JOIN_CONFIRM_MS = 2_000;

/**
 * Every receive request (SimpleConsumer and PushConsumer alike) goes to the group the
 * consumer belongs in now, with the lane filter of the moment; received messages outside
 * the lane (client mode, or a change during a long poll) are acked and never reach the app.
 */
export function filterReceives(
  state: RocketMQState,
  confirmJoin: (consumer: object, group: string | undefined) => void,
): (() => void)[] {
  const { agent, places, keepers, requestGroups, requestSelections, messageGroups } = state;

  /** Moves the consumer if it should, then returns the filter for this receive and its selection. */
  function laneFilter(
    consumer: ConsumerLike,
    filter: FilterExpressionLike,
  ): { filter: FilterExpressionLike; selection?: LaneSelection } {
    const place = places.get(consumer);
    if (place === undefined) return { filter };
    const settings = messageGrayscaleSettings(agent);
    const left = moveConsumer(place, settings, Date.now());
    if (left !== undefined) {
      consumer.consumerGroup = place.group;
      agent.log.info(
        place.group === place.grayGroup
          ? `RocketMQ consumer group ${place.originalGroup} joins as ${place.group}: message grayscale is on for ${agent.config.app}`
          : `RocketMQ consumer ${left} returns to group ${place.group}: message grayscale is off for ${agent.config.app}`,
      );
      state.report();
    }
    const selection = laneSelection(place, settings, agent);
    if (selection === undefined) return { filter };
    const own: OwnFilter = {
      type: filter.filterType === FILTER_SQL ? 'sql92' : 'tag',
      expression: filter.expression,
    };
    const wanted =
      selection.mode === 'client'
        ? clientFilter({ ...selection.selector, own }).broker
        : sql92Filter({ ...selection.selector, own });
    if (wanted.type === own.type && wanted.expression === own.expression) return { filter, selection };
    const type = wanted.type === 'sql92' ? FILTER_SQL : FILTER_TAG;
    return { filter: new state.mq.FilterExpression(wanted.expression, type), selection };
  }

  /** `pollIndex`: where the long-polling timeout sits among the builder's arguments. */
  function wrapRequestBuilder(pollIndex: number) {
    return (original: AnyFn): AnyFn =>
      function (this: ConsumerLike, ...args: unknown[]) {
        let selection: LaneSelection | undefined;
        try {
          keepers.get(this)?.saw(args[1] as MessageQueueLike);
          const lane = laneFilter(this, args[2] as FilterExpressionLike);
          args[2] = lane.filter;
          selection = lane.selection;
          // A parked poll keeps the filter and group it was sent with: keep polls short so
          // a change of either reaches the broker within LONG_POLL_CAP_MS.
          const poll = args[pollIndex];
          if (places.has(this) && typeof poll === 'number' && poll > LONG_POLL_CAP_MS)
            args[pollIndex] = LONG_POLL_CAP_MS;
        } catch (error) {
          state.fail('subscription filter', error);
        }
        const request = original.apply(this, args);
        if (request && typeof request === 'object') {
          requestGroups.set(request, this.consumerGroup);
          if (selection) requestSelections.set(request, selection);
        }
        return request;
      };
  }

  /** Consumed messages by lane: the message's `graylane_tag`, the baseline without one. */
  function countConsumed(messages: readonly MessageViewLike[]): void {
    for (const m of messages) {
      const value = propertyOf(m, TAG_PROPERTY);
      const laneTag = value !== undefined && isValidTag(value) ? value : '';
      agent.recordMessage({ system: 'rocketmq', direction: 'consumed', tag: laneTag });
    }
  }

  return [
    state.patch(
      state.mq.Consumer?.prototype,
      'wrapReceiveMessageRequest',
      'Consumer#wrapReceiveMessageRequest',
      wrapRequestBuilder(4),
    ),
    state.patch(
      state.mq.PushConsumer?.prototype,
      'wrapPushReceiveMessageRequest',
      'PushConsumer#wrapPushReceiveMessageRequest',
      wrapRequestBuilder(3),
    ),
    // Both consumers receive through Consumer#receiveMessage: drop (ack) what is outside the lane.
    state.patch(state.mq.Consumer?.prototype, 'receiveMessage', 'Consumer#receiveMessage', (original) => {
      return async function receiveMessage(this: ConsumerLike, ...args: unknown[]) {
        const group = requestGroups.get(args[0] as object);
        const confirm = setTimeout(() => confirmJoin(this, group), JOIN_CONFIRM_MS).unref();
        let messages: MessageViewLike[];
        try {
          messages = (await original.apply(this, args)) as MessageViewLike[];
        } catch (error) {
          const explained = explainReceiveError(error, this.consumerGroup);
          if (explained !== error) agent.log.once('GL_MQ_SQL92_UNSUPPORTED', (explained as Error).message);
          throw explained;
        } finally {
          clearTimeout(confirm);
        }
        try {
          confirmJoin(this, group);
          if (!Array.isArray(messages)) return messages;
          if (group !== undefined) for (const m of messages) messageGroups.set(m, group);
          const selection = requestSelections.get(args[0] as object);
          if (selection === undefined || messages.length === 0) {
            countConsumed(messages);
            return messages;
          }
          const { accept } = clientFilter(selection.selector);
          const kept = messages.filter((m) => accept(m));
          countConsumed(kept);
          for (const m of messages) {
            if (kept.includes(m)) continue;
            this.ackMessage(m).catch((error: unknown) =>
              agent.log.once(
                'GL_MQ_INSTRUMENTATION_FAILED',
                `acking a message outside this instance's lane failed (${(error as Error)?.message}); the broker delivers it again`,
              ),
            );
          }
          return kept;
        } catch (error) {
          state.fail('receive', error);
          return messages;
        }
      };
    }),
  ];
}
