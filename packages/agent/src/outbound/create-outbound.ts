import { createBalancer, GraylaneError, type Instance } from '@graylane/core/runtime';
import { currentContext } from '../lane-context.js';
import type { Logger } from '../logger.js';
import type { OutboundRecord } from '../metrics-recorder.js';
import type { RoutingState } from '../routing-state.js';
import { hasBaggageTag, withBaggageTag } from './baggage.js';
import { failureKind } from './failure-kind.js';
import { hostNames, type NameScope, normalizeHost } from './host-names.js';
import { createOutlierDetector, type OutlierOptions } from './outlier-detector.js';

export type Protocol = 'http' | 'grpc';

/** One outbound call to a governed app, across its attempts. */
export interface Hop {
  readonly app: string;
  /** The lane of the call ('' = baseline traffic). */
  readonly tag: string;
  /** Where the current attempt goes. */
  readonly instance: Instance;
  /**
   * The attempt on `instance` failed: counts it against the instance (outlier
   * detection) and returns the instance to send the request to now, or undefined:
   * the error goes to the application. It moves (once, or up to twice more for
   * connect failures) when nothing of the response arrived, the adapter can send it
   * again, and the instance cannot have acted on it: it never connected, the method
   * is idempotent, or the body was not sent.
   */
  retry(error: unknown, progress: Progress): Instance | undefined;
  /** The current attempt got an answer (status line, headers or metadata). */
  answered(): void;
  /** The call is over (the first call counts): `ok` is false when the app saw an error. */
  end(ok: boolean): void;
}

/** How far the failed attempt got, as the adapter saw it. */
export interface Progress {
  /** Some of the response (status, headers, metadata, a message) arrived. */
  responseStarted: boolean;
  /** The adapter can send the request again as it was (no consumed stream body). */
  replayable: boolean;
  /** The method may be received twice without harm (GET, PUT, ...; see IDEMPOTENT_METHODS). */
  idempotent: boolean;
  /** Some of the request body may have reached the instance. */
  bodySent: boolean;
}

/** What the call writes to carry the lane; undefined fields stay as they are. */
export interface TagFields {
  tag?: string;
  baggage?: string;
}

export interface Outbound {
  /** The governed app a host (or gRPC target host) names, or undefined to pass the call through. */
  appOf(host: string): string | undefined;
  /**
   * Starts a hop to `app` in the current lane (or `tag`'s, for the gateway, which
   * decides a request's lane itself). Throws GL_STRICT_NO_TAGGED_INSTANCE (strict
   * lane, no instance of its tag can take it) or GL_NO_INSTANCE.
   */
  begin(app: string, protocol: Protocol, tag?: string): Hop;
  /**
   * The tag header and baggage the current lane writes on an outbound call (to any
   * host), given (lazily) the baggage the call already carries; undefined: write nothing.
   * `tag` names the lane instead of the current context (the gateway, or an adapter
   * that read the context already), `carried` the baggage its inbound request had.
   */
  tagFields(baggage: () => string | undefined, tag?: string, carried?: string): TagFields | undefined;
}

export interface OutboundDeps {
  state(): RoutingState;
  scope: NameScope;
  log: Logger;
  record(hop: OutboundRecord): void;
  outliers?: OutlierOptions;
}

/**
 * What the outbound path derives from one routing state, built as calls need it: the
 * host names of governed apps, and each app's instances by tag, per protocol. A state
 * lives until the next snapshot, so this is built once per app and snapshot while the
 * call path only looks it up.
 */
interface Routes {
  readonly state: RoutingState;
  names: Map<string, string> | undefined;
  readonly byProtocol: Record<Protocol, Map<string, Map<string, Instance[]>>>;
}

const ATTEMPTS = { connect: 3, reset: 2, other: 1 } as const;

/**
 * A routing error as the application gets it (an `error` event, a rejected fetch,
 * gRPC details): apps log only the message, so it carries the code to look up in
 * docs/errors.md.
 */
export function forApplication(error: GraylaneError): GraylaneError {
  return new GraylaneError(error.code, `${error.code}: ${error.message}`, { cause: error.cause });
}

/**
 * The one outbound path: every adapter (node:http/https, undici/fetch, grpc-js, the
 * gateway) asks it where a call goes, what it carries and what to do when it fails.
 * A lane whose instances fail falls back at once (outlier detection), not when the
 * registry notices; a request that got nothing back moves once to another candidate.
 */
export function createOutbound(deps: OutboundDeps): Outbound {
  const balancer = createBalancer();
  const outliers = createOutlierDetector(deps.outliers);
  let routes: Routes | undefined;

  // One field check per call: the state object changes only with a new snapshot.
  function routesOf(state: RoutingState): Routes {
    if (routes === undefined || routes.state !== state)
      routes = { state, names: undefined, byProtocol: { http: new Map(), grpc: new Map() } };
    return routes;
  }

  function names(state: RoutingState): Map<string, string> {
    const r = routesOf(state);
    r.names ??= hostNames(state.instances, deps.scope);
    return r.names;
  }

  function lists(state: RoutingState, app: string, protocol: Protocol): Map<string, Instance[]> {
    const perApp = routesOf(state).byProtocol[protocol];
    let byTag = perApp.get(app);
    if (byTag === undefined) {
      byTag = new Map<string, Instance[]>();
      for (const i of state.instances.get(app) ?? []) {
        if (i.ports[protocol] === undefined) continue;
        const list = byTag.get(i.tag);
        if (list) list.push(i);
        else byTag.set(i.tag, [i]);
      }
      perApp.set(app, byTag);
    }
    return byTag;
  }

  /** A healthy candidate not tried yet; `panic` allows ejected ones when none is healthy. */
  function choose(
    list: readonly Instance[] | undefined,
    tried: ReadonlySet<string> | undefined,
    panic: boolean,
  ) {
    if (list === undefined || list.length === 0) return undefined;
    if (tried === undefined && outliers.ejected === 0) return balancer.pick(list);
    const open = tried === undefined ? list : list.filter((i) => !tried.has(i.id));
    const healthy = open.filter((i) => !outliers.isEjected(i.id));
    if (tried !== undefined && healthy.length > 1) {
      // A request sent again goes to an instance whose last outcome was not a failure
      // when there is one: with several instances gone at once (a lost node) and not
      // ejected yet, its few attempts would otherwise be spent on more of them. Only
      // retries prefer so, and an answer ends a streak: no instance is starved.
      const sound = healthy.filter((i) => !outliers.isFailing(i.id));
      if (sound.length > 0) return balancer.pick(sound);
    }
    if (healthy.length > 0) return balancer.pick(healthy);
    // Baseline traffic with every baseline instance ejected: trying one beats failing
    // for sure, and it never puts the request on a gray instance.
    return panic ? balancer.pick(open) : undefined;
  }

  /**
   * The instance for `tag`'s traffic, following the lane's fallback; undefined when none.
   * `fallingBack`: the lane's own instances have had their turn (the last attempt after
   * connect failures), so a lane that falls back goes to the baseline first.
   */
  function pick(
    state: RoutingState,
    app: string,
    tag: string,
    protocol: Protocol,
    tried?: ReadonlySet<string>,
    fallingBack = false,
  ) {
    const byTag = lists(state, app, protocol);
    if (tag !== '') {
      const strict = state.policy(tag).fallback === 'strict';
      if (fallingBack && !strict) {
        const baseline = choose(byTag.get(''), tried, true);
        if (baseline !== undefined) return baseline;
      }
      const own = choose(byTag.get(tag), tried, false);
      if (own !== undefined) return own;
      if (strict) return undefined;
    }
    return choose(byTag.get(''), tried, true);
  }

  function noInstance(state: RoutingState, app: string, tag: string, protocol: Protocol): GraylaneError {
    const byTag = lists(state, app, protocol);
    if (tag !== '' && state.policy(tag).fallback === 'strict') {
      const n = byTag.get(tag)?.length ?? 0;
      return new GraylaneError(
        'GL_STRICT_NO_TAGGED_INSTANCE',
        `${app} has no instance tagged "${tag}" that can take the request (${n === 0 ? 'none registered' : `${n} failing and ejected`}) and the lane's fallback is strict: start an instance with GRAYLANE_TAG=${tag} or set the lane's fallback to baseline`,
      );
    }
    return new GraylaneError(
      'GL_NO_INSTANCE',
      `${app} has no ${tag === '' ? '' : `instance tagged "${tag}" and no `}baseline instance registered for ${protocol}: start one, or check GRAYLANE_APP and GRAYLANE_NAMESPACE of its instances`,
    );
  }

  // One object per call, its methods on the prototype: the call path allocates no closures.
  class OutboundHop implements Hop {
    private readonly started = performance.now();
    private tried: Set<string> | undefined;
    private attempts = 1;
    private ended = false;

    constructor(
      readonly app: string,
      readonly tag: string,
      private readonly protocol: Protocol,
      public instance: Instance,
    ) {}

    retry(error: unknown, progress: Progress): Instance | undefined {
      const kind = failureKind(error);
      if (kind === 'other') return undefined;
      const { app, instance } = this;
      if (outliers.failure(instance.id)) {
        deps.log.warn(
          `${app} instance ${instance.address} (${instance.tag || 'baseline'}) failed ${kind === 'connect' ? 'to connect' : 'mid-request'} repeatedly: ejected for a while, its lane falls back meanwhile`,
        );
      }
      const safe =
        !progress.responseStarted &&
        progress.replayable &&
        (kind === 'connect' || progress.idempotent || !progress.bodySent);
      if (!safe || this.attempts >= ATTEMPTS[kind]) return undefined;
      this.tried ??= new Set();
      this.tried.add(instance.id);
      // Instances of a lane that refuse connections one after another are going away
      // together (a crashed Deployment, a lost node) and are not ejected yet: the last
      // attempt goes where the lane falls back to, not to yet another of them.
      const last = kind === 'connect' && this.attempts + 1 >= ATTEMPTS.connect;
      const next = pick(deps.state(), app, this.tag, this.protocol, this.tried, last);
      if (next === undefined) return undefined;
      deps.log.debug(`${app}: ${kind} failure at ${instance.address}; sending to ${next.address} instead`);
      balancer.end(instance.id);
      balancer.begin(next.id);
      this.instance = next;
      this.attempts++;
      return next;
    }

    answered(): void {
      outliers.success(this.instance.id);
    }

    end(ok: boolean): void {
      if (this.ended) return;
      this.ended = true;
      const { instance } = this;
      balancer.end(instance.id);
      deps.record({
        target: this.app,
        tag: this.tag,
        targetTag: instance.tag,
        fallback: instance.tag !== this.tag,
        ok,
        durationMs: performance.now() - this.started,
      });
    }
  }

  return {
    appOf(host) {
      const map = names(deps.state());
      return map.get(host) ?? map.get(normalizeHost(host));
    },

    begin(app, protocol, tag = currentContext().tag) {
      const state = deps.state();
      const first = pick(state, app, tag, protocol);
      if (first === undefined) throw noInstance(state, app, tag, protocol);
      balancer.begin(first.id);
      return new OutboundHop(app, tag, protocol, first);
    },

    tagFields(readBaggage, tag, carried) {
      let lane = tag;
      let inbound = carried;
      if (lane === undefined) {
        const context = currentContext();
        lane = context.tag;
        inbound = context.baggage;
      }
      if (lane === '') return undefined;
      const baggage = readBaggage();
      if (!deps.state().policy(lane).propagation) {
        // The lane stops here: a tag the app (or OpenTelemetry) forwards in baggage goes too.
        return hasBaggageTag(baggage) ? { baggage: withBaggageTag(baggage, undefined) } : undefined;
      }
      return { tag: lane, baggage: withBaggageTag(baggage ?? inbound, lane) };
    },
  };
}
