import type { Agent } from '../create-agent.js';

const reports = new WeakMap<Agent, Map<string, readonly string[]>>();

/**
 * Each messaging instrumentation reports its own consumers' groups; the registry gets
 * their union, so a RocketMQ report never drops the Kafka groups or the other way round.
 */
export function reportConsumerGroups(agent: Agent, owner: string, groups: readonly string[]): void {
  let byOwner = reports.get(agent);
  if (byOwner === undefined) {
    byOwner = new Map();
    reports.set(agent, byOwner);
  }
  byOwner.set(owner, groups);
  agent.consumerGroups([...new Set([...byOwner.values()].flat())].sort(), Object.fromEntries(byOwner));
}
