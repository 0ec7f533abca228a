import {
  clientFilter,
  grayConsumerGroup,
  isValidTag,
  type OwnFilter,
  propertyOf,
  sql92Filter,
  TAG_PROPERTY,
} from '@graylane/core';
import type { Agent } from '../create-agent.js';
import { currentTag, runInLane } from '../lane-context.js';
import { patchMethod } from './patch-method.js';
import { explainReceiveError } from './rocketmq-errors.js';
import {
  type ConsumerJoin,
  type LaneSelection,
  laneSelection,
  messageGrayscaleSettings,
} from './rocketmq-settings.js';

/** The module whose loading triggers {@link instrumentRocketMQ}. */
export const ROCKETMQ_MODULE = '/rocketmq-client-nodejs/dist/index.js';

// FilterType of apache/rocketmq/v2/definition.proto.
const FILTER_TAG = 1;
const FILTER_SQL = 2;

type AnyFn = (...args: unknown[]) => unknown;
type AsyncFn = (...args: unknown[]) => Promise<unknown>;

interface FilterExpressionLike {
  expression: string;
  filterType: number;
}
type FilterExpressionClass = new (expression: string, filterType?: number) => FilterExpressionLike;

interface MessageViewLike {
  properties?: Map<string, string>;
}

interface ConsumerLike {
  consumerGroup: string;
  getSettings(): { toProtobuf(): SettingsPB };
  ackMessage(view: MessageViewLike): Promise<unknown>;
}
interface SettingsPB {
  getSubscription?(): { getGroup?(): { setName(name: string): unknown } | undefined } | undefined;
}

interface MessageOptionsLike {
  properties?: Map<string, string>;
  [key: string]: unknown;
}

interface RocketMQExports {
  FilterExpression: FilterExpressionClass;
  Producer: { prototype: { send: AnyFn } };
  Consumer: { prototype: { wrapReceiveMessageRequest: AnyFn; receiveMessage: AsyncFn } };
  SimpleConsumer: { prototype: { startup: AsyncFn } };
  PushConsumer: { prototype: { startup: AsyncFn; wrapPushReceiveMessageRequest: AnyFn } };
  ConsumeService: { prototype: { consumeMessage: AsyncFn } };
}

/**
 * Message grayscale for `rocketmq-client-nodejs`, switched on per app by its
 * MessageGrayscale resource:
 * - Producer#send adds the `graylane_tag` property (context tag, else the instance tag);
 * - a consumer on a tagged instance joins `<group>_<tag>` when it starts;
 * - every receive request (SimpleConsumer and PushConsumer alike) gets the lane
 *   filter of the moment, so changes apply at the next receive with no restart;
 * - received messages outside the lane (client mode, or a change during a long
 *   poll) are acked and never reach the app;
 * - a PushConsumer's listener runs in the message's tag context.
 * Every hook fails open: on an internal error the client behaves as without the agent.
 */
export function instrumentRocketMQ(exports: unknown, agent: Agent): () => void {
  const mq = exports as RocketMQExports;
  const tag = agent.config.tag;
  const joins = new WeakMap<object, ConsumerJoin>();
  // The lane selection a receive request was built with, so its response is checked against the same one.
  const requestSelections = new WeakMap<object, LaneSelection>();
  const fail = (where: string, error: unknown) =>
    agent.log.once(
      'GL_MQ_INSTRUMENTATION_FAILED',
      `RocketMQ ${where} failed inside the agent (${(error as Error)?.message ?? error}); this message goes on as without the agent`,
    );

  function ownFilterOf(filter: FilterExpressionLike): OwnFilter {
    return {
      type: filter.filterType === FILTER_SQL ? 'sql92' : 'tag',
      expression: filter.expression,
    };
  }

  /** The filter to send for this receive, and the selection to check its messages against. */
  function laneFilter(
    consumer: object,
    filter: FilterExpressionLike,
  ): { filter: FilterExpressionLike; selection?: LaneSelection } {
    const join = joins.get(consumer);
    const settings = messageGrayscaleSettings(agent);
    const selection = laneSelection(tag, join, settings);
    if (selection === undefined) {
      if (join && !join.gray && tag !== '' && settings.enabled)
        agent.log.once(
          'GL_MQ_RESTART_NEEDED',
          `message grayscale was turned on after consumer group ${join.originalGroup} started on this ${tag} instance: it keeps consuming as a baseline member until restarted, then joins ${join.originalGroup}_${tag}`,
        );
      return { filter };
    }
    const own = ownFilterOf(filter);
    const wanted =
      selection.mode === 'client'
        ? clientFilter({ ...selection.selector, own }).broker
        : sql92Filter({ ...selection.selector, own });
    if (wanted.type === own.type && wanted.expression === own.expression) return { filter, selection };
    const type = wanted.type === 'sql92' ? FILTER_SQL : FILTER_TAG;
    return { filter: new mq.FilterExpression(wanted.expression, type), selection };
  }

  function wrapRequestBuilder(original: AnyFn): AnyFn {
    return function (this: object, ...args: unknown[]) {
      let selection: LaneSelection | undefined;
      try {
        const lane = laneFilter(this, args[2] as FilterExpressionLike);
        args[2] = lane.filter;
        selection = lane.selection;
      } catch (error) {
        fail('subscription filter', error);
      }
      const request = original.apply(this, args);
      if (selection && request && typeof request === 'object') requestSelections.set(request, selection);
      return request;
    };
  }

  const undo: (() => void)[] = [];

  undo.push(
    patchMethod(mq.Producer.prototype, 'send', (original) => {
      return function send(this: unknown, ...args: unknown[]) {
        try {
          args[0] = taggedMessage(args[0] as MessageOptionsLike);
        } catch (error) {
          fail('send', error);
        }
        return original.apply(this, args);
      };
    }),
  );

  function taggedMessage(message: MessageOptionsLike): MessageOptionsLike {
    if (!message || typeof message !== 'object') return message;
    if (!messageGrayscaleSettings(agent).enabled) return message;
    const laneTag = currentTag() || tag;
    if (laneTag === '' || message.properties?.has(TAG_PROPERTY)) return message;
    const properties = new Map(message.properties ?? []);
    properties.set(TAG_PROPERTY, laneTag);
    // A copy: the app may reuse its message object for other sends.
    return Object.assign(Object.create(Object.getPrototypeOf(message)), message, { properties });
  }

  async function joinGroup(consumer: ConsumerLike): Promise<void> {
    if (joins.has(consumer)) return;
    await agent.ready(3000);
    const originalGroup = consumer.consumerGroup;
    const settings = messageGrayscaleSettings(agent);
    const gray = tag !== '' && settings.enabled;
    const group = gray ? grayConsumerGroup(originalGroup, tag) : originalGroup;
    joins.set(consumer, { originalGroup, group, gray, mode: settings.mode });
    if (!gray) return;
    consumer.consumerGroup = group;
    // The settings object captured the group at construction: correct what it reports to the proxy.
    const settingsObject = consumer.getSettings();
    const toProtobuf = settingsObject.toProtobuf;
    settingsObject.toProtobuf = function (this: unknown) {
      const pb = toProtobuf.call(this);
      pb.getSubscription?.()?.getGroup?.()?.setName(group);
      return pb;
    };
    agent.log.info(`RocketMQ consumer group ${originalGroup} joins as ${group} (instance tag ${tag})`);
  }

  function wrapStartup(original: AsyncFn): AsyncFn {
    return async function startup(this: ConsumerLike, ...args: unknown[]) {
      try {
        await joinGroup(this);
      } catch (error) {
        fail('consumer startup', error);
      }
      return original.apply(this, args);
    };
  }
  undo.push(patchMethod(mq.SimpleConsumer.prototype, 'startup', wrapStartup));
  undo.push(patchMethod(mq.PushConsumer.prototype, 'startup', wrapStartup));
  undo.push(patchMethod(mq.Consumer.prototype, 'wrapReceiveMessageRequest', wrapRequestBuilder));
  undo.push(patchMethod(mq.PushConsumer.prototype, 'wrapPushReceiveMessageRequest', wrapRequestBuilder));

  // Both consumers receive through Consumer#receiveMessage: drop (ack) what is outside the lane.
  undo.push(
    patchMethod(mq.Consumer.prototype, 'receiveMessage', (original) => {
      return async function receiveMessage(this: ConsumerLike, ...args: unknown[]) {
        let messages: MessageViewLike[];
        try {
          messages = (await original.apply(this, args)) as MessageViewLike[];
        } catch (error) {
          const explained = explainReceiveError(error, this.consumerGroup);
          if (explained !== error) agent.log.once('GL_MQ_SQL92_UNSUPPORTED', (explained as Error).message);
          throw explained;
        }
        try {
          const selection = requestSelections.get(args[0] as object);
          if (selection === undefined || !Array.isArray(messages) || messages.length === 0) return messages;
          const { accept } = clientFilter(selection.selector);
          const kept = messages.filter((m) => accept(m));
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
          fail('receive', error);
          return messages;
        }
      };
    }),
  );

  // PushConsumer: the listener runs in the message's lane.
  undo.push(
    patchMethod(mq.ConsumeService.prototype, 'consumeMessage', (original) => {
      return function consumeMessage(this: unknown, ...args: unknown[]) {
        let laneTag: string | undefined;
        try {
          const value = propertyOf(args[0] as MessageViewLike, TAG_PROPERTY);
          if (value !== undefined && isValidTag(value)) laneTag = value;
          else if (messageGrayscaleSettings(agent).enabled) laneTag = '';
        } catch (error) {
          fail('consume', error);
        }
        if (laneTag === undefined) return original.apply(this, args);
        return runInLane(laneTag, () => original.apply(this, args));
      };
    }),
  );

  return () => {
    for (const u of undo.reverse()) u();
  };
}
