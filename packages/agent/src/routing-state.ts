import {
  type Balancer,
  type ConfigSnapshot,
  compileLanes,
  createBalancer,
  createTagPolicies,
  emptySnapshot,
  type Instance,
  type LaneMatcher,
  selectCandidates,
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

export interface Target {
  instance: Instance;
  /** Instances of the same tag set to try next after a connect failure, best first. */
  alternatives: () => Instance | undefined;
}

/** Candidates per app, tag and protocol, computed once per snapshot: routing runs on every call. */
const candidateCache = new WeakMap<RoutingState, Map<string, readonly Instance[]>>();

function candidatesFor(
  state: RoutingState,
  app: string,
  tag: string,
  protocol: 'http' | 'grpc',
): readonly Instance[] {
  let cache = candidateCache.get(state);
  if (!cache) {
    cache = new Map();
    candidateCache.set(state, cache);
  }
  const key = `${app}\u0000${tag}\u0000${protocol}`;
  let list = cache.get(key);
  if (!list) {
    const all = (state.instances.get(app) ?? []).filter((i) => i.ports[protocol] !== undefined);
    // Errors (strict fallback, no instance) are not cached: they are rare and carry the message.
    list = selectCandidates(all, tag, tag === '' ? 'baseline' : state.policy(tag).fallback, app).candidates;
    cache.set(key, list);
  }
  return list;
}

/**
 * Picks the instance of `app` for traffic with `tag`, following the lane's fallback.
 * Throws GL_NO_INSTANCE / GL_STRICT_NO_TAGGED_INSTANCE when nothing fits.
 */
export function chooseInstance(
  state: RoutingState,
  balancer: Balancer,
  app: string,
  tag: string,
  protocol: 'http' | 'grpc',
): Target {
  const candidates = candidatesFor(state, app, tag, protocol);
  const first = balancer.pick(candidates)!;
  let tried: Set<string> | undefined;
  // Alternatives are only needed after a connect failure: build the exclusion set lazily.
  const alternatives = () => {
    tried ??= new Set([first.id]);
    const picked = balancer.pick(candidates, tried);
    if (picked) tried.add(picked.id);
    return picked;
  };
  return { instance: first, alternatives };
}

export { createBalancer };
