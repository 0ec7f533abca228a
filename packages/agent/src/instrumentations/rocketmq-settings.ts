import type { ConsumerSelector } from '@graylane/core';
import type { Agent } from '../create-agent.js';

/** What the app's MessageGrayscale resource asks for right now. */
export interface MessageGrayscaleSettings {
  enabled: boolean;
  mode: 'sql92' | 'client';
  /** Tags the baseline leaves to their own consumers: the listed ones, plus live tags in auto mode. */
  ignoredTags: string[];
}

const off: MessageGrayscaleSettings = { enabled: false, mode: 'sql92', ignoredTags: [] };

/** Reads the settings from the current snapshot; cheap enough to call on every receive. */
export function messageGrayscaleSettings(agent: Agent): MessageGrayscaleSettings {
  const { snapshot } = agent.state();
  const app = agent.config.app;
  const spec = snapshot.messageGrayscale.find((r) => r.metadata.name === app)?.spec;
  if (spec === undefined || spec.enabled === false) return off;
  const ignored = new Set(spec.baselineIgnoredTags ?? []);
  if (spec.auto) {
    // A tag with a live instance of this app has its own consumer group: leave its messages to it.
    for (const instance of snapshot.instances[app] ?? []) if (instance.tag !== '') ignored.add(instance.tag);
  }
  return { enabled: true, mode: spec.filter ?? 'sql92', ignoredTags: [...ignored].sort() };
}

/** How one consumer joined at startup: whether it moved to the gray group of its instance tag. */
export interface ConsumerJoin {
  originalGroup: string;
  group: string;
  gray: boolean;
  /** The filter mode last seen while enabled; kept by a gray consumer after grayscale is turned off. */
  mode: 'sql92' | 'client';
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
  join: ConsumerJoin | undefined,
  settings: MessageGrayscaleSettings,
): LaneSelection | undefined {
  if (tag !== '') {
    // Only a consumer that joined the gray group at startup may filter on its tag:
    // in the shared group a narrower filter would skip messages for the whole group.
    if (join === undefined || !join.gray) return undefined;
    if (settings.enabled) join.mode = settings.mode;
    return { selector: { tag }, mode: join.mode };
  }
  if (!settings.enabled) return undefined;
  return { selector: { tag: '', ignoredTags: settings.ignoredTags }, mode: settings.mode };
}
