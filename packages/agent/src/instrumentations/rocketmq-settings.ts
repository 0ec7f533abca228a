import { baselineIgnoredTags, type ConsumerSelector } from '@graylane/core/runtime';
import type { Agent } from '../create-agent.js';

/** What the app's MessageGrayscale resource asks for right now. */
export interface MessageGrayscaleSettings {
  enabled: boolean;
  mode: 'sql92' | 'client';
  /** Tags the resource lists for the baseline to ignore. */
  listedTags: string[];
  auto: boolean;
}

const off: MessageGrayscaleSettings = { enabled: false, mode: 'sql92', listedTags: [], auto: false };

/** Reads the settings from the current snapshot; cheap enough to call on every receive. */
export function messageGrayscaleSettings(agent: Agent): MessageGrayscaleSettings {
  const app = agent.config.app;
  const spec = agent.state().snapshot.messageGrayscale.find((r) => r.metadata.name === app)?.spec;
  if (spec === undefined || spec.enabled === false) return off;
  return {
    enabled: true,
    mode: spec.filter ?? 'sql92',
    listedTags: [...(spec.baselineIgnoredTags ?? [])],
    auto: spec.auto === true,
  };
}

/** One consumer's place: the group it polls now and how it got there. */
export interface ConsumerPlace {
  originalGroup: string;
  /** `<group>_<tag>` on a tagged instance, undefined on the baseline. */
  grayGroup: string | undefined;
  /** The group receive requests go to now. */
  group: string;
  /** The filter mode last seen while enabled; a draining gray consumer keeps it. */
  mode: 'sql92' | 'client';
  /** The broker holds this consumer's position in its gray group: the baseline may leave the tag to it. */
  joined: boolean;
  /** When grayscale went off while this consumer was in its gray group (see {@link DRAIN_MS}). */
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
 * How long a gray consumer keeps polling its gray group after grayscale is turned off.
 * A baseline receive that skips the tag may still be parked on the broker: the proxy
 * holds a long poll for at most 20 s, so the gray group covers the tag until none can be.
 */
export const DRAIN_MS = 22_000;

/** Long polls of instrumented consumers are cut to this, so a change reaches the broker within it. */
export const LONG_POLL_CAP_MS = 5_000;

/**
 * Moves a consumer to the group it should poll for its next receive; returns the
 * group it left, if it moved. Tagged instances join `<group>_<tag>` when grayscale is on
 * and return to the original group {@link DRAIN_MS} after it goes off.
 */
export function moveConsumer(
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  now: number,
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
  if (now - place.leavingSince < DRAIN_MS) return undefined;
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
 * The lane part a consumer applies on its next receive, or undefined when it
 * receives as if the agent were absent.
 */
export function laneSelection(
  tag: string,
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  agent: Agent,
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
    instances: agent.state().snapshot.instances[agent.config.app] ?? [],
  });
  return { selector: { tag: '', ignoredTags }, mode: settings.mode };
}

/** The groups to report to the registry: a gray group only once the consumer holds its position there. */
export function reportedGroup(place: ConsumerPlace): string | undefined {
  if (place.group !== place.grayGroup) return place.group;
  return place.joined ? place.group : undefined;
}
