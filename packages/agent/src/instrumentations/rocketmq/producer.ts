import { outboundMessageTag, TAG_PROPERTY } from '@graylane/core/runtime';
import { currentTag } from '../../lane-context.js';
import { messageGrayscaleSettings } from '../message-grayscale-settings.js';
import type { RocketMQState } from './rocketmq-state.js';
import type { MessageOptionsLike } from './rocketmq-types.js';

/** Producer#send adds the `graylane_tag` property: the context tag, else the instance tag. */
export function tagOutboundMessages(state: RocketMQState): (() => void)[] {
  const { agent } = state;
  function taggedMessage(message: MessageOptionsLike): MessageOptionsLike {
    if (!message || typeof message !== 'object') return message;
    const tag = outboundMessageTag(
      messageGrayscaleSettings(agent),
      currentTag(),
      agent.config.tag,
      message.properties?.has(TAG_PROPERTY) === true,
    );
    if (tag === undefined) return message;
    const properties = new Map(message.properties ?? []);
    properties.set(TAG_PROPERTY, tag);
    // A copy: the app may reuse its message object for other sends.
    return Object.assign(Object.create(Object.getPrototypeOf(message)), message, { properties });
  }
  return [
    state.patch(state.mq.Producer?.prototype, 'send', 'Producer#send', (original) => {
      return function send(this: unknown, ...args: unknown[]) {
        const laneTag = currentTag() || agent.config.tag;
        try {
          args[0] = taggedMessage(args[0] as MessageOptionsLike);
        } catch (error) {
          state.fail('send', error);
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
  ];
}
