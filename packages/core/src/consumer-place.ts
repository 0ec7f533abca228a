import { baselineIgnoredTags } from './baseline-ignored-tags.js';
import type { ConfigSnapshot, Instance } from './config-snapshot.js';
import type { ConsumerSelector } from './message-grayscale.js';
import { isValidTag } from './tag.js';

/**
 * The broker-independent half of message grayscale: which group an instance's consumer
 * belongs in, how it moves between groups, which tag an outbound message carries and
 * which messages a consumer keeps. RocketMQ and Kafka adapters in the agent apply it.
 */

/** What the app's MessageGrayscale resource asks for right now. */
export interface MessageGrayscaleSettings {
  enabled: boolean;
  mode: 'sql92' | 'client';
  /** Tags the resource lists for the baseline to ignore. */
  listedTags: string[];
  auto: boolean;
}

const off: MessageGrayscaleSettings = { enabled: false, mode: 'sql92', listedTags: [], auto: false };

/** The settings of `app` in a snapshot; cheap enough to call on every receive. */
export function messageGrayscaleSettingsOf(snapshot: ConfigSnapshot, app: string): MessageGrayscaleSettings {
  const spec = snapshot.messageGrayscale.find((r) => r.metadata.name === app)?.spec;
  if (spec === undefined || spec.enabled === false) return off;
  return {
    enabled: true,
    mode: spec.filter ?? 'sql92',
    listedTags: [...(spec.baselineIgnoredTags ?? [])],
    auto: spec.auto === true,
  };
}

/**
 * The tag an outbound message gets: the lane it is sent in, else the instance's own tag;
 * none for untagged baseline traffic, while grayscale is off, or when the app set one itself.
 */
export function outboundMessageTag(
  settings: Pick<MessageGrayscaleSettings, 'enabled'>,
  contextTag: string,
  instanceTag: string,
  alreadyTagged: boolean,
): string | undefined {
  if (!settings.enabled || alreadyTagged) return undefined;
  const tag = contextTag || instanceTag;
  return tag === '' ? undefined : tag;
}

/** One consumer's place: the group it polls now and how it got there. */
export interface ConsumerPlace {
  originalGroup: string;
  /** `<group>_<tag>` on a tagged instance, undefined on the baseline. */
  grayGroup: string | undefined;
  /** The group the consumer polls now. */
  group: string;
  /** The filter mode last seen while enabled; a draining gray consumer keeps it. */
  mode: 'sql92' | 'client';
  /** The broker holds this consumer's position in its gray group: the baseline may leave the tag to it. */
  joined: boolean;
  /** When grayscale went off while this consumer was in its gray group. */
  leavingSince: number | undefined;
}

/** A consumer as it starts: in its original group, with `<group>_<tag>` ready on a tagged instance. */
export function consumerPlace(originalGroup: string, grayGroup: string | undefined): ConsumerPlace {
  return {
    originalGroup,
    grayGroup,
    group: originalGroup,
    mode: 'sql92',
    joined: false,
    leavingSince: undefined,
  };
}

/**
 * Moves a consumer to the group it should poll next; returns the group it left, if it
 * moved. Tagged instances join `<group>_<tag>` when grayscale is on and return to the
 * original group `drainMs` after it goes off: long enough for the gray consumer to take
 * every message of its tag that a baseline consumer skipped before it heard of the change.
 */
export function moveConsumer(
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  now: number,
  drainMs: number,
): string | undefined {
  if (place.grayGroup === undefined) return undefined;
  const from = place.group;
  if (settings.enabled) {
    place.mode = settings.mode;
    place.leavingSince = undefined;
    if (place.group === place.grayGroup) return undefined;
    place.group = place.grayGroup;
    place.joined = false;
    return from;
  }
  if (place.group !== place.grayGroup) return undefined;
  place.leavingSince ??= now;
  if (now - place.leavingSince < drainMs) return undefined;
  place.group = place.originalGroup;
  place.joined = false;
  place.leavingSince = undefined;
  return from;
}

export interface LaneSelection {
  selector: ConsumerSelector;
  mode: 'sql92' | 'client';
}

/**
 * Which messages a consumer keeps on its next receive, or undefined when it receives
 * as if the agent were absent. `instances` are the live instances of the consuming app.
 */
export function laneSelectionOf(
  tag: string,
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  instances: readonly Instance[],
): LaneSelection | undefined {
  if (tag !== '') {
    // In the shared group a narrower filter would skip messages for the whole group.
    if (place.group !== place.grayGroup) return undefined;
    return { selector: { tag }, mode: place.mode };
  }
  if (!settings.enabled) return undefined;
  const ignoredTags = baselineIgnoredTags({
    group: place.originalGroup,
    listed: settings.listedTags,
    auto: settings.auto,
    instances,
  });
  return { selector: { tag: '', ignoredTags }, mode: settings.mode };
}

/** The groups to report to the registry: a gray group only once the consumer holds its position there. */
export function reportedGroup(place: ConsumerPlace): string | undefined {
  if (place.group !== place.grayGroup) return place.group;
  return place.joined ? place.group : undefined;
}

/**
 * The lane a received message is handled in: its tag when it carries a valid one, the
 * baseline when it carries none and grayscale is on, and undefined (leave the context as
 * it is) when grayscale is off and the message is untagged.
 */
export function messageLane(value: string | undefined, enabled: boolean): string | undefined {
  if (value !== undefined && isValidTag(value)) return value;
  return enabled ? '' : undefined;
}
