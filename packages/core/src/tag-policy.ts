import { byPriority } from './compile-lanes.js';
import type { Lane } from './resources.js';

export type Fallback = 'baseline' | 'strict';

/** How traffic carrying a tag is treated at every hop. */
export interface TagPolicy {
  /** Write the tag on outbound calls and messages. */
  propagation: boolean;
  /** What to do when the target app has no instance with the tag. */
  fallback: Fallback;
}

/** A tag that arrives with no lane defined for it still propagates and falls back to the baseline. */
export const defaultTagPolicy: TagPolicy = Object.freeze({ propagation: true, fallback: 'baseline' });

/**
 * Policy lookup by tag. When several lanes share a tag (different entry rules for
 * the same version), the highest-priority lane's settings apply.
 */
export function createTagPolicies(lanes: readonly Lane[]): (tag: string) => TagPolicy {
  const byTag = new Map<string, TagPolicy>();
  for (const lane of [...lanes].sort(byPriority)) {
    if (!byTag.has(lane.spec.tag)) {
      byTag.set(
        lane.spec.tag,
        Object.freeze({ propagation: lane.spec.propagation, fallback: lane.spec.fallback }),
      );
    }
  }
  return (tag) => byTag.get(tag) ?? defaultTagPolicy;
}
