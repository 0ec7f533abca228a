import type { Lane } from './resources.js';
import type { RolloutStatus } from './rollout.js';

/**
 * The Lane as agents and gateways see it. While a Rollout drives the lane, the
 * rollout's weight replaces the document's; at weight 0 the entry is dropped
 * altogether, because an entry weight of 0 means "every matching request"
 * while a rollout at 0 (not started, or aborted) means "no new request".
 * `status` undefined: the rollout exists but its controller has not run yet.
 */
export function effectiveLane(lane: Lane, drivenBy: { status?: RolloutStatus } | undefined): Lane {
  if (drivenBy === undefined || lane.spec.entry === undefined) return lane;
  const weight = drivenBy.status?.weight ?? 0;
  if (weight === 0) {
    const { entry: _, ...spec } = lane.spec;
    return { ...lane, spec: spec as Lane['spec'] };
  }
  return { ...lane, spec: { ...lane.spec, entry: { ...lane.spec.entry, weight } } };
}
