import {
  type ConsumerPlace,
  type MessageGrayscaleSettings,
  moveConsumer as moveConsumerAfter,
} from '@graylane/core/runtime';

// The state machine itself is broker-independent and lives in core; these are RocketMQ's timings.
export {
  type ConsumerPlace,
  consumerPlace,
  type LaneSelection,
  type MessageGrayscaleSettings,
  reportedGroup,
} from '@graylane/core/runtime';

/**
 * How long a gray consumer keeps polling its gray group after grayscale is turned off.
 * A baseline receive that skips the tag may still be parked on the broker: the proxy
 * holds a long poll for at most 20 s, so the gray group covers the tag until none can be.
 */
export const DRAIN_MS = 22_000;

/** Long polls of instrumented consumers are cut to this, so a change reaches the broker within it. */
export const LONG_POLL_CAP_MS = 5_000;

/** Core's move with RocketMQ's drain. */
export function moveConsumer(
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  now: number,
): string | undefined {
  return moveConsumerAfter(place, settings, now, DRAIN_MS);
}
