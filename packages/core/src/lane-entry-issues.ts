import type { Issue } from './graylane-error.js';
import type { Resource } from './resources.js';

/**
 * A Lane entry with neither conditions nor a weight would colour nothing on its
 * own; it is how a Lane is written when a Rollout supplies the weight. So it is
 * accepted only when a Rollout names the lane, in the same batch or in `owned`
 * (`namespace/lane` keys of stored Rollouts). One entry per resource, undefined when fine.
 */
export function laneEntryIssues(
  resources: readonly Resource[],
  owned: ReadonlySet<string> = new Set(),
): Array<Issue | undefined> {
  const keys = new Set(owned);
  for (const r of resources) if (r.kind === 'Rollout') keys.add(`${r.metadata.namespace}/${r.spec.lane}`);
  return resources.map((r) => {
    if (r.kind !== 'Lane' || r.spec.entry === undefined) return undefined;
    if (r.spec.entry.match !== undefined || r.spec.entry.weight > 0) return undefined;
    if (keys.has(`${r.metadata.namespace}/${r.metadata.name}`)) return undefined;
    return {
      document: `Lane/${r.metadata.name}`,
      path: 'spec.entry',
      message:
        'an entry needs match conditions, a weight above 0, or both (or a Rollout that drives its weight)',
    };
  });
}
