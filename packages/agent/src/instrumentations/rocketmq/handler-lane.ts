import { messageLane, propertyOf, TAG_PROPERTY } from '@graylane/core/runtime';
import { enterMessageLane, leaveMessageLane, runInLane } from '../../lane-context.js';
import { messageGrayscaleSettings } from '../message-grayscale-settings.js';
import type { RocketMQState } from './rocketmq-state.js';
import type { MessageViewLike } from './rocketmq-types.js';

// What an app's code after `await simpleConsumer.receive()` reads first on a message.
const MESSAGE_FIELDS = ['body', 'properties', 'messageId', 'keys', 'tag'];

/**
 * A PushConsumer's listener runs in the message's lane; after a SimpleConsumer's receive,
 * the app's code enters a message's lane when it reads that message.
 */
export function runHandlersInLane(state: RocketMQState): (() => void)[] {
  const laneOf = (message: MessageViewLike) =>
    messageLane(propertyOf(message, TAG_PROPERTY), messageGrayscaleSettings(state.agent).enabled);

  // The app's code after `await receive()` cannot be wrapped, so each message puts the
  // code that reads it into its lane, until the next receive. A message with no lane
  // (untagged, grayscale off) leaves the lane an earlier message of the same receive put
  // the code in, or a call made for it would carry that message's tag.
  function enterLaneOnRead(message: object, laneTag: string | undefined): void {
    for (const field of MESSAGE_FIELDS) {
      const descriptor = Object.getOwnPropertyDescriptor(message, field);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      let value = descriptor.value;
      Object.defineProperty(message, field, {
        configurable: true,
        enumerable: descriptor.enumerable,
        get() {
          if (laneTag === undefined) leaveMessageLane();
          else enterMessageLane(laneTag);
          return value;
        },
        set(next) {
          value = next;
        },
      });
    }
  }

  return [
    state.patch(
      state.mq.ConsumeService?.prototype,
      'consumeMessage',
      'ConsumeService#consumeMessage',
      (original) => {
        return function consumeMessage(this: unknown, ...args: unknown[]) {
          let laneTag: string | undefined;
          try {
            laneTag = laneOf(args[0] as MessageViewLike);
          } catch (error) {
            state.fail('consume', error);
          }
          if (laneTag === undefined) return original.apply(this, args);
          return runInLane(laneTag, () => original.apply(this, args));
        };
      },
    ),
    state.patch(state.mq.SimpleConsumer?.prototype, 'receive', 'SimpleConsumer#receive', (original) => {
      return function receive(this: unknown, ...args: unknown[]) {
        try {
          leaveMessageLane();
        } catch (error) {
          state.fail('receive', error);
        }
        return original.apply(this, args).then((messages) => {
          try {
            if (Array.isArray(messages))
              for (const m of messages) {
                if (m && typeof m === 'object') enterLaneOnRead(m, laneOf(m as MessageViewLike));
              }
          } catch (error) {
            state.fail('receive', error);
          }
          return messages;
        });
      };
    }),
  ];
}
