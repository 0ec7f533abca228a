import {
  type ConfigSnapshot,
  compileLanes,
  createTagPolicies,
  emptySnapshot,
  type Instance,
  type LaneMatcher,
  type TagPolicy,
} from '@graylane/core/runtime';

/** Everything derived from one snapshot, compiled once when the snapshot changes. */
export interface RoutingState {
  snapshot: ConfigSnapshot;
  /** Gives an untagged request at this app its tag, if a lane's entry includes the app. */
  entryMatcher: LaneMatcher;
  policy: (tag: string) => TagPolicy;
  /** Instances by app (only apps that have any). */
  instances: ReadonlyMap<string, readonly Instance[]>;
}

export function compileRoutingState(snapshot: ConfigSnapshot, app: string): RoutingState {
  const instances = new Map<string, readonly Instance[]>();
  for (const [name, list] of Object.entries(snapshot.instances))
    if (list.length > 0) instances.set(name, list);
  return {
    snapshot,
    entryMatcher: compileLanes(snapshot.lanes, app),
    policy: createTagPolicies(snapshot.lanes),
    instances,
  };
}

export const emptyRoutingState = (namespace: string, app: string) =>
  compileRoutingState(emptySnapshot(namespace), app);
