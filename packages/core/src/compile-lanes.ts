import { compileMatch, type Predicate, type Read, readerFor } from './compile-condition.js';
import type { RequestView } from './request-view.js';
import type { Lane } from './resources.js';
import { stableHash } from './stable-hash.js';

export interface LaneDecision {
  /** The tag the request gets. */
  tag: string;
  /** The lane (metadata.name) that gave it. */
  lane: string;
}

export type LaneMatcher = (view: RequestView) => LaneDecision | undefined;

export interface CompileLanesOptions {
  /** Source of randomness for weights without a sticky key; `Math.random` by default. */
  random?: () => number;
}

/** Highest priority first; equal priorities by name so the order never depends on input order. */
export function byPriority(a: Lane, b: Lane): number {
  return b.spec.priority - a.spec.priority || (a.metadata.name < b.metadata.name ? -1 : 1);
}

interface CompiledLane {
  decision: LaneDecision;
  match: Predicate | undefined;
  weight: number;
  weightKey: Read | undefined;
}

/**
 * Compiles the lanes that have `app` among their entry apps into one function
 * that gives an untagged request its tag. Lanes are tried in priority order; the
 * first whose conditions match and whose weight admits the request wins. A weight
 * W takes W% of the traffic that reaches the lane (the "remaining" traffic).
 */
export function compileLanes(
  lanes: readonly Lane[],
  app: string,
  options: CompileLanesOptions = {},
): LaneMatcher {
  const random = options.random ?? Math.random;
  const compiled: CompiledLane[] = lanes
    .filter((lane) => lane.spec.entry?.apps.includes(app))
    // Neither conditions nor a weight: a lane waiting for its Rollout's weight colours nothing.
    .filter((lane) => lane.spec.entry!.match !== undefined || lane.spec.entry!.weight > 0)
    .sort(byPriority)
    .map((lane) => {
      const entry = lane.spec.entry!;
      const key = entry.weightKey;
      return {
        decision: Object.freeze({ tag: lane.spec.tag, lane: lane.metadata.name }),
        match: entry.match ? compileMatch(entry.match) : undefined,
        weight: entry.weight,
        weightKey: key ? readerFor(key.source, key.name) : undefined,
      };
    });

  function admitted(lane: CompiledLane, view: RequestView): boolean {
    if (lane.weight === 0 || lane.weight === 100) return true;
    const key = lane.weightKey?.(view);
    // Salting the hash with the lane name keeps lanes independent: a user in the
    // first 10% of one lane is not automatically in the first 10% of the next.
    const bucket =
      key === undefined ? Math.floor(random() * 100) : stableHash(`${lane.decision.lane}\u0000${key}`) % 100;
    return bucket < lane.weight;
  }

  if (compiled.length === 0) return () => undefined;
  return (view) => {
    for (const lane of compiled) {
      if ((lane.match === undefined || lane.match(view)) && admitted(lane, view)) return lane.decision;
    }
    return undefined;
  };
}
