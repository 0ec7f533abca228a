import {
  clientFilter,
  grayConsumerGroup,
  isValidTag,
  type OwnFilter,
  propertyOf,
  sql92Filter,
  TAG_PROPERTY,
} from '@graylane/core/runtime';
import type { Agent } from '../create-agent.js';
import { currentTag, enterMessageLane, leaveMessageLane, runInLane } from '../lane-context.js';
import { patchMethod } from './patch-method.js';
import { type CursorKeeper, type MessageQueueLike, startCursorKeeper } from './rocketmq-cursor-keeper.js';
import { explainReceiveError } from './rocketmq-errors.js';
import {
  type ConsumerPlace,
  consumerPlace,
  type LaneSelection,
  LONG_POLL_CAP_MS,
  laneSelection,
  messageGrayscaleSettings,
  moveConsumer,
  reportedGroup,
} from './rocketmq-settings.js';

/** The module whose loading triggers {@link instrumentRocketMQ}. */
export const ROCKETMQ_MODULE = '/rocketmq-client-nodejs/dist/index.js';

// FilterType of apache/rocketmq/v2/definition.proto.
const FILTER_TAG = 1;
const FILTER_SQL = 2;
// A gray group's position exists once the broker ran a first pop for it; a receive
// that has neither failed nor answered after this long has reached the broker.
const JOIN_CONFIRM_MS = 2_000;
// The cursor keeper's filter: a message tag no message carries.
const CURSOR_TAG = 'graylane-cursor-keeper';
// What an app's code after `await simpleConsumer.receive()` reads first on a message.
const MESSAGE_FIELDS = ['body', 'properties', 'messageId', 'keys', 'tag'];

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
  Consumer: {
    prototype: {
      wrapReceiveMessageRequest: AnyFn;
      receiveMessage: AsyncFn;
      ackMessage: AnyFn;
      invisibleDuration: AnyFn;
    };
  };
  SimpleConsumer: { prototype: { startup: AsyncFn; shutdown: AsyncFn; receive: AsyncFn } };
  PushConsumer: {
    prototype: {
      startup: AsyncFn;
      shutdown: AsyncFn;
      wrapPushReceiveMessageRequest: AnyFn;
      wrapAckMessageRequest: AnyFn;
      wrapChangeInvisibleDurationRequest: AnyFn;
      wrapForwardMessageToDeadLetterQueueRequest: AnyFn;
    };
  };
  ConsumeService: { prototype: { consumeMessage: AsyncFn } };
}

/**
 * Message grayscale for `rocketmq-client-nodejs`, switched on per app by its
 * MessageGrayscale resource:
 * - Producer#send adds the `graylane_tag` property (context tag, else the instance tag);
 * - a consumer on a tagged instance polls `<group>_<tag>` while grayscale is on, and its
 *   original group otherwise; it moves between them live, at its next receive;
 * - every receive request (SimpleConsumer and PushConsumer alike) gets the lane filter
 *   of the moment, and each message is acked in the group it came from;
 * - received messages outside the lane (client mode, or a change during a long poll)
 *   are acked and never reach the app;
 * - a PushConsumer's listener runs in the message's lane; after a SimpleConsumer's
 *   receive, the app's code enters a message's lane when it reads that message.
 * Every hook fails open: on an internal error the client behaves as without the agent.
 */
export function instrumentRocketMQ(exports: unknown, agent: Agent): () => void {
  const mq = exports as RocketMQExports;
  const tag = agent.config.tag;
  const places = new Map<object, ConsumerPlace>();
  // The lane selection a receive request was built with, so its response is checked against the same one.
  const requestSelections = new WeakMap<object, LaneSelection>();
  const requestGroups = new WeakMap<object, string>();
  const messageGroups = new WeakMap<object, string>();
  const keepers = new Map<object, CursorKeeper>();
  // Joins confirmed while a keeper poll was parked on the gray group, reported when it ends.
  const pendingJoins = new Set<object>();
  // The client's own request builder and receive, taken before the patches below, for the keeper's polls.
  const buildReceive = mq.Consumer.prototype.wrapReceiveMessageRequest;
  const receive = mq.Consumer.prototype.receiveMessage;
  const fail = (where: string, error: unknown) =>
    agent.log.once(
      'GL_MQ_INSTRUMENTATION_FAILED',
      `RocketMQ ${where} failed inside the agent (${(error as Error)?.message ?? error}); this message goes on as without the agent`,
    );

  function report(): void {
    const groups: string[] = [];
    for (const place of places.values()) {
      const group = reportedGroup(place);
      if (group !== undefined) groups.push(group);
    }
    agent.consumerGroups(groups);
  }

  function ownFilterOf(filter: FilterExpressionLike): OwnFilter {
    return {
      type: filter.filterType === FILTER_SQL ? 'sql92' : 'tag',
      expression: filter.expression,
    };
  }

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
      report();
    }
    const selection = laneSelection(tag, place, settings, agent);
    if (selection === undefined) return { filter };
    const own = ownFilterOf(filter);
    const wanted =
      selection.mode === 'client'
        ? clientFilter({ ...selection.selector, own }).broker
        : sql92Filter({ ...selection.selector, own });
    if (wanted.type === own.type && wanted.expression === own.expression) return { filter, selection };
    const type = wanted.type === 'sql92' ? FILTER_SQL : FILTER_TAG;
    return { filter: new mq.FilterExpression(wanted.expression, type), selection };
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
          fail('subscription filter', error);
        }
        const request = original.apply(this, args);
        if (request && typeof request === 'object') {
          requestGroups.set(request, this.consumerGroup);
          if (selection) requestSelections.set(request, selection);
        }
        return request;
      };
  }

  const undo: (() => void)[] = [];

  undo.push(
    patchMethod(mq.Producer.prototype, 'send', (original) => {
      return function send(this: unknown, ...args: unknown[]) {
        const laneTag = currentTag() || tag;
        try {
          args[0] = taggedMessage(args[0] as MessageOptionsLike);
        } catch (error) {
          fail('send', error);
        }
        const sent = original.apply(this, args) as unknown;
        // Counted once the broker took it; the app still gets the original promise and its errors.
        if (sent instanceof Promise)
          sent.then(
            () => agent.recordMessage({ system: 'rocketmq', direction: 'produced', tag: laneTag }),
            () => {},
          );
        return sent;
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
    report();
  }

  function keepCursor(consumer: ConsumerLike, entry: ConsumerPlace, grayGroup: string): CursorKeeper {
    const filter = new mq.FilterExpression(CURSOR_TAG, FILTER_TAG);
    return startCursorKeeper({
      place: entry,
      async poll(queue) {
        const current = consumer.consumerGroup;
        consumer.consumerGroup = grayGroup;
        let request: unknown;
        try {
          request = buildReceive.call(consumer, 1, queue, filter, 30_000, LONG_POLL_CAP_MS);
        } finally {
          consumer.consumerGroup = current;
        }
        // Nothing carries the tag; anything that did would become visible again to the gray group.
        await receive.call(consumer, request, queue, LONG_POLL_CAP_MS);
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

  function wrapStartup(original: AsyncFn): AsyncFn {
    return async function startup(this: ConsumerLike, ...args: unknown[]) {
      try {
        await place(this);
      } catch (error) {
        fail('consumer startup', error);
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
        if (places.delete(this)) report();
      }
    };
  }
  for (const consumer of [mq.SimpleConsumer.prototype, mq.PushConsumer.prototype]) {
    undo.push(patchMethod(consumer, 'startup', wrapStartup));
    undo.push(patchMethod(consumer, 'shutdown', wrapShutdown));
  }
  undo.push(patchMethod(mq.Consumer.prototype, 'wrapReceiveMessageRequest', wrapRequestBuilder(4)));
  undo.push(patchMethod(mq.PushConsumer.prototype, 'wrapPushReceiveMessageRequest', wrapRequestBuilder(3)));

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
    report();
  }

  // Both consumers receive through Consumer#receiveMessage: drop (ack) what is outside the lane.
  undo.push(
    patchMethod(mq.Consumer.prototype, 'receiveMessage', (original) => {
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
          fail('receive', error);
          return messages;
        }
      };
    }),
  );

  // Acks, invisibility changes and dead-lettering name the group the message came from,
  // which is not the consumer's group any more after a move. Each reads the group
  // before its first await, so the swap lasts exactly as long as the synchronous call.
  function inGroupOfMessage(original: AnyFn): AnyFn {
    return function (this: ConsumerLike, ...args: unknown[]) {
      const from = messageGroups.get(args[0] as object);
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
  undo.push(patchMethod(mq.Consumer.prototype, 'ackMessage', inGroupOfMessage));
  undo.push(patchMethod(mq.Consumer.prototype, 'invisibleDuration', inGroupOfMessage));
  undo.push(patchMethod(mq.PushConsumer.prototype, 'wrapAckMessageRequest', inGroupOfMessage));
  undo.push(patchMethod(mq.PushConsumer.prototype, 'wrapChangeInvisibleDurationRequest', inGroupOfMessage));
  undo.push(
    patchMethod(mq.PushConsumer.prototype, 'wrapForwardMessageToDeadLetterQueueRequest', inGroupOfMessage),
  );

  /** Consumed messages by lane: the message's `graylane_tag`, the baseline without one. */
  function countConsumed(messages: readonly MessageViewLike[]): void {
    for (const m of messages) {
      const value = propertyOf(m, TAG_PROPERTY);
      const laneTag = value !== undefined && isValidTag(value) ? value : '';
      agent.recordMessage({ system: 'rocketmq', direction: 'consumed', tag: laneTag });
    }
  }

  /** The lane a received message belongs to, or undefined when grayscale leaves it alone. */
  function laneOf(message: MessageViewLike): string | undefined {
    const value = propertyOf(message, TAG_PROPERTY);
    if (value !== undefined && isValidTag(value)) return value;
    return messageGrayscaleSettings(agent).enabled ? '' : undefined;
  }

  // PushConsumer: the listener runs in the message's lane.
  undo.push(
    patchMethod(mq.ConsumeService.prototype, 'consumeMessage', (original) => {
      return function consumeMessage(this: unknown, ...args: unknown[]) {
        let laneTag: string | undefined;
        try {
          laneTag = laneOf(args[0] as MessageViewLike);
        } catch (error) {
          fail('consume', error);
        }
        if (laneTag === undefined) return original.apply(this, args);
        return runInLane(laneTag, () => original.apply(this, args));
      };
    }),
  );

  // SimpleConsumer: the app's code after `await receive()` cannot be wrapped, so each
  // message puts the code that reads it into its lane, until the next receive.
  function enterLaneOnRead(message: object, laneTag: string): void {
    for (const field of MESSAGE_FIELDS) {
      const descriptor = Object.getOwnPropertyDescriptor(message, field);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      let value = descriptor.value;
      Object.defineProperty(message, field, {
        configurable: true,
        enumerable: descriptor.enumerable,
        get() {
          enterMessageLane(laneTag);
          return value;
        },
        set(next) {
          value = next;
        },
      });
    }
  }
  undo.push(
    patchMethod(mq.SimpleConsumer.prototype, 'receive', (original) => {
      return function receive(this: unknown, ...args: unknown[]) {
        try {
          leaveMessageLane();
        } catch (error) {
          fail('receive', error);
        }
        return original.apply(this, args).then((messages) => {
          try {
            if (Array.isArray(messages))
              for (const m of messages) {
                const laneTag = laneOf(m as MessageViewLike);
                if (laneTag !== undefined && m && typeof m === 'object') enterLaneOnRead(m, laneTag);
              }
          } catch (error) {
            fail('receive', error);
          }
          return messages;
        });
      };
    }),
  );

  return () => {
    for (const u of undo.reverse()) u();
    for (const keeper of keepers.values()) keeper.stop();
    keepers.clear();
  };
}
