import {
  type ConsumerPlace,
  type LaneSelection,
  laneSelectionOf,
  type MessageGrayscaleSettings,
  messageGrayscaleSettingsOf,
} from '@graylane/core/runtime';
import type { Agent } from '../create-agent.js';

/** The app's MessageGrayscale settings from the agent's current snapshot; cheap enough for every message. */
export function messageGrayscaleSettings(agent: Agent): MessageGrayscaleSettings {
  return messageGrayscaleSettingsOf(agent.state().snapshot, agent.config.app);
}

/** Which messages a consumer in `place` keeps now, or undefined when it takes them as without the agent. */
export function laneSelection(
  place: ConsumerPlace,
  settings: MessageGrayscaleSettings,
  agent: Agent,
): LaneSelection | undefined {
  return laneSelectionOf(
    agent.config.tag,
    place,
    settings,
    agent.state().snapshot.instances[agent.config.app] ?? [],
  );
}
