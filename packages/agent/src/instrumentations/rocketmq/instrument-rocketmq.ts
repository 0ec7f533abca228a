import type { LibraryInstrumentation } from '../library-instrumentation.js';
import { ackInGroupOfMessage } from './ack.js';
import { placeConsumers } from './consumer-placement.js';
import { runHandlersInLane } from './handler-lane.js';
import { tagOutboundMessages } from './producer.js';
import { filterReceives } from './receive-filter.js';
import { createRocketMQState } from './rocketmq-state.js';
import type { RocketMQExports } from './rocketmq-types.js';

/**
 * Message grayscale for `rocketmq-client-nodejs`, switched on per app by its
 * MessageGrayscale resource, one role per file:
 * - producer: Producer#send adds the `graylane_tag` property;
 * - consumer placement: a consumer on a tagged instance polls `<group>_<tag>` while
 *   grayscale is on and its original group otherwise, keeping the gray group's position;
 * - receive filter: each receive gets the lane filter of the moment, and what comes back
 *   outside the lane is acked and never reaches the app;
 * - ack: each message is acked in the group it came from;
 * - handler lane: PushConsumer listeners and SimpleConsumer readers run in the message's lane.
 * Every hook fails open: on an internal error the client behaves as without the agent.
 */
export const rocketmqInstrumentation: LibraryInstrumentation = {
  name: 'rocketmq-client-nodejs',
  // The patches reach into the client's request builders: written against 1.0.x.
  versions: '>=1.0.8 <1.1',
  module: '/rocketmq-client-nodejs/dist/index.js',
  patch(exports, { agent, patch }) {
    const state = createRocketMQState(agent, exports as RocketMQExports, patch);
    const placement = placeConsumers(state);
    const undo = [
      ...tagOutboundMessages(state),
      ...placement.undo,
      ...filterReceives(state, placement.confirmJoin),
      ...ackInGroupOfMessage(state),
      ...runHandlersInLane(state),
    ];
    return () => {
      for (const u of undo.reverse()) u();
    };
  },
};
