import { networkInterfaces } from 'node:os';
import {
  applyChange,
  type ConfigSnapshot,
  GraylaneError,
  INSTANCE_LIMITS,
  isGraylaneError,
  reportableGroups,
} from '@graylane/core/runtime';
import { type AgentConfig, instanceId } from './agent-config.js';
import { type ControlPlaneClient, createControlPlaneClient } from './control-plane-client.js';
import type { Logger } from './logger.js';
import {
  type CodeClass,
  createMetricsRecorder,
  type MessageSample,
  type OutboundRecord,
} from './metrics-recorder.js';
import { createOutbound, type Outbound } from './outbound/create-outbound.js';
import { compileRoutingState, emptyRoutingState, type RoutingState } from './routing-state.js';
import { createSnapshotCache } from './snapshot-cache.js';

export type Protocol = 'http' | 'grpc';

/** The running agent: identity, config from the control plane, routing and metrics. */
export interface Agent {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly id: string;
  state(): RoutingState;
  /** The one outbound path: where each call to a governed app goes, what it carries, failover. */
  readonly outbound: Outbound;
  /**
   * The lane of an inbound request: `carried` is the tag it came with, `coloured` the
   * tag an entry rule gave it. A request this instance should not have received (an
   * untagged one at a tagged instance that no rule coloured, or tag T at an instance
   * tagged U ≠ T) is counted as a lane leak and logged once per tag.
   */
  noteLane(carried: string | undefined, coloured: string | undefined): void;
  /** One inbound request, counted under `tag` (default: the instance's own tag). */
  recordInbound(durationMs: number, codeClass: CodeClass, tag?: string): void;
  /** One call to a governed app: which tag it reached and whether it fell back. */
  recordOutbound(sample: OutboundRecord): void;
  /** Messages produced or consumed, by lane and broker family. */
  recordMessage(sample: MessageSample): void;
  /**
   * A server of the app started listening (port detection). `boundAddress` is the
   * address it is bound to: a specific one (127.0.0.1, ::1, a pod IP) is where the
   * instance gets registered; a wildcard keeps GRAYLANE_HOST or the detected address.
   */
  listening(protocol: Protocol, port: number, boundAddress?: string): void;
  /**
   * The consumer groups the app's message consumers poll now, as the registry should show
   * them; `byBroker` (e.g. `{ kafka: [...], rocketmq: [...] }`) goes into the instance's
   * metadata as `consumer-groups.<broker>` so the console and CLI can tell them apart.
   */
  consumerGroups(groups: readonly string[], byBroker?: Readonly<Record<string, readonly string[]>>): void;
  /** Resolves once a first config is in hand (from the stream or the disk cache) or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const RETRY_MS = [250, 500, 1000, 2000, 5000];
/** Heartbeat period until the server has answered its TTL (a third of the default 15 s). */
const DEFAULT_BEAT_MS = 5000;

const WILDCARDS = new Set(['', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

/** Where other processes reach a server bound to `bound`; `fallback` for a wildcard bind. */
export function reachableAddress(bound: string | undefined, fallback: string): string {
  if (bound === undefined) return fallback;
  const address = bound.startsWith('::ffff:') && bound.includes('.') ? bound.slice(7) : bound;
  return WILDCARDS.has(address) ? fallback : address;
}

export const isLoopback = (address: string) =>
  address === '::1' || address === 'localhost' || address.startsWith('127.');

/** The code of a control plane's answer that refuses the agent's token, if it is one. */
function refusal(status: number): 'GL_UNAUTHENTICATED' | 'GL_FORBIDDEN' | undefined {
  if (status === 401) return 'GL_UNAUTHENTICATED';
  if (status === 403) return 'GL_FORBIDDEN';
  return undefined;
}

export function createAgent(config: AgentConfig, log: Logger): Agent {
  const id = instanceId(config);
  const cache = createSnapshotCache(config.cacheDir, config.namespace, config.app);
  const metrics = createMetricsRecorder();
  const ports: Record<string, number> = {};
  const client: ControlPlaneClient | undefined = config.server
    ? createControlPlaneClient(config.server, config.token, config.ca)
    : undefined;
  let state = emptyRoutingState(config.namespace, config.app);
  let stopped = false;
  // The first server's bound address, until one is seen the configured host.
  let address = config.host;
  let addressFixed = false;
  let beatMs = DEFAULT_BEAT_MS;
  let leaks = 0;
  // Ports and consumer groups change while the app runs; the registration must carry the
  // latest ones, so each registration records the version it sent (-1: not registered).
  let groups: string[] = [];
  let groupsByBroker: Record<string, string> = {};
  let registrationVersion = 0;
  let registeredVersion = -1;
  // One control-plane exchange at a time: two registrations in flight could reach the
  // server out of order and leave it with stale ports for good.
  let queue: Promise<void> = Promise.resolve();
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const timers: NodeJS.Timeout[] = [];
  let closeWatch: (() => void) | undefined;

  function adopt(snapshot: ConfigSnapshot, persist: boolean): void {
    state = compileRoutingState(snapshot, config.app);
    markReady();
    warnIfUnreachable(snapshot);
    if (persist) {
      try {
        cache.write(snapshot);
      } catch (error) {
        log.once(
          'GL_CACHE_UNREADABLE',
          `cannot write the config cache ${cache.file}: ${(error as Error).message}`,
        );
      }
    }
  }

  // A loopback-bound instance is reachable only from its own host: say so once when the
  // namespace shows instances on other hosts (they would call it and fail). Instances at
  // one of this host's own addresses (services bound to 0.0.0.0 next to it) reach it.
  let ownAddresses: Set<string> | undefined;
  function warnIfUnreachable(snapshot: ConfigSnapshot): void {
    if (!isLoopback(address)) return;
    for (const list of Object.values(snapshot.instances)) {
      const remote = list.find((i) => {
        if (i.id === id || isLoopback(i.address)) return false;
        ownAddresses ??= new Set(
          Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((n) => n.address)),
        );
        return !ownAddresses.has(i.address);
      });
      if (remote === undefined) continue;
      log.once(
        'GL_INSTANCE_LOOPBACK',
        `this instance listens on ${address}, a loopback address, while ${remote.app} runs at ${remote.address}: other hosts cannot reach it; bind the server to 0.0.0.0 or the pod IP`,
      );
      return;
    }
  }

  const cached = cache.read();
  if (cached) {
    adopt(cached, false);
    log.debug(`routing from the cached config version ${cached.version} until the control plane answers`);
  }

  async function register(): Promise<void> {
    if (!client) return;
    const version = registrationVersion;
    const body = {
      id,
      app: config.app,
      tag: config.tag,
      address,
      ports,
      protocols: Object.keys(ports),
      consumerGroups: groups,
      metadata: {
        pid: String(process.pid),
        node: process.version,
        ...(config.serviceNames.length > 0 ? { serviceNames: config.serviceNames.join(',') } : {}),
        ...groupsByBroker,
      },
    };
    const res = await client.request<{ ttlMs?: number }>(
      'POST',
      `/v1/namespaces/${config.namespace}/instances`,
      body,
    );
    if (res.status >= 300) {
      const refused = refusal(res.status);
      const answer = (res.body as { error?: { message?: unknown } } | undefined)?.error?.message;
      if (refused) throw new GraylaneError(refused, `registering ${config.app}: ${answer ?? res.status}`);
      throw new Error(`register answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    registeredVersion = version;
    followTtl(res.body?.ttlMs);
    warnIfUnreachable(state.snapshot);
  }

  function heartbeat(): Promise<void> {
    queue = queue.then(beat);
    return queue;
  }

  async function beat(): Promise<void> {
    if (!client || stopped) return;
    try {
      if (registeredVersion !== registrationVersion) return await register();
      const res = await client.request(
        'PUT',
        `/v1/namespaces/${config.namespace}/instances/${id}/heartbeat`,
        {},
      );
      if (res.status === 404) await register();
    } catch (error) {
      registeredVersion = -1;
      const refused =
        isGraylaneError(error) && (error.code === 'GL_UNAUTHENTICATED' || error.code === 'GL_FORBIDDEN');
      const code = refused ? error.code : 'GL_CONTROL_PLANE_UNREACHABLE';
      log.once(code, `${(error as Error).message}; routing continues with the last config`);
    }
  }

  // Beats at a third of the server's TTL, so two may be lost before the instance expires.
  function followTtl(ttlMs: number | undefined): void {
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) return;
    const next = Math.max(250, Math.floor(ttlMs / 3));
    if (next === beatMs) return;
    beatMs = next;
    scheduleBeat();
    log.debug(`the control plane expires instances after ${ttlMs} ms: heartbeat every ${next} ms`);
  }

  let beatTimer: NodeJS.Timeout | undefined;
  function scheduleBeat(): void {
    clearTimeout(beatTimer);
    if (stopped) return;
    beatTimer = setTimeout(() => void heartbeat().finally(scheduleBeat), beatMs).unref();
  }

  async function flushLeaks(timeoutMs: number): Promise<void> {
    const count = leaks;
    if (!client || count === 0) return;
    leaks = 0;
    const res = await client
      .request(
        'POST',
        `/v1/namespaces/${config.namespace}/lane-leaks`,
        { instanceId: id, app: config.app, tag: config.tag, count },
        timeoutMs,
      )
      .catch(() => undefined);
    // Kept for the next report when the control plane did not take them.
    if (res === undefined || res.status >= 300) leaks += count;
  }

  async function flushMetrics(timeoutMs = 5000): Promise<void> {
    const report = metrics.flush();
    if (!client) return;
    void flushLeaks(timeoutMs);
    const body = {
      instanceId: id,
      app: config.app,
      tag: config.tag,
      at: Date.now(),
      intervalMs: config.metricsIntervalMs,
      ...report,
    };
    await client
      .request('POST', `/v1/namespaces/${config.namespace}/metrics`, body, timeoutMs)
      .catch(() => {});
  }

  async function watchLoop(): Promise<void> {
    if (!client) return;
    let attempt = 0;
    while (!stopped) {
      let snapshot = state.snapshot.version > 0 ? state.snapshot : undefined;
      const stream = client.watch(config.namespace, snapshot?.version, {
        snapshot: (s) => {
          attempt = 0;
          snapshot = s;
          adopt(s, true);
        },
        change: (c) => {
          attempt = 0;
          snapshot = applyChange(snapshot ?? state.snapshot, c);
          adopt(snapshot, true);
        },
      });
      closeWatch = stream.close;
      const status = await stream.done;
      if (stopped) return;
      const wait = RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!;
      const refused = status === undefined ? undefined : refusal(status);
      if (refused) {
        // A wrong token is no outage: saying "unreachable" would send the user to the network.
        log.once(
          refused,
          `the control plane at ${config.server} refused this agent's token (HTTP ${status}): set GRAYLANE_TOKEN to an agent token for ${config.app}; routing continues with the last config`,
        );
      } else {
        log.once(
          'GL_CONTROL_PLANE_UNREACHABLE',
          `watch stream to ${config.server} ended; reconnecting (routing continues)`,
        );
      }
      await new Promise((r) => timers.push(setTimeout(r, wait).unref()));
    }
  }

  if (client) {
    void heartbeat();
    void watchLoop();
    scheduleBeat();
    timers.push(setInterval(() => void flushMetrics(), config.metricsIntervalMs).unref());
  }

  const outbound = createOutbound({
    state: () => state,
    scope: config,
    log,
    record: (hop) => metrics.recordOutbound(hop),
  });

  return {
    config,
    log,
    id,
    state: () => state,
    outbound,
    recordInbound: (ms, codeClass, tag = config.tag) => metrics.recordInbound(ms, codeClass, tag),
    recordOutbound: (sample) => metrics.recordOutbound(sample),
    recordMessage: (sample) => metrics.recordMessage(sample),
    noteLane(carried, coloured) {
      const own = config.tag;
      if (own === '' || carried === own) return;
      if (carried === undefined && coloured !== undefined) return;
      leaks++;
      const lane = carried === undefined ? 'untagged' : `tagged "${carried}"`;
      log.once(
        'GL_LANE_LEAK',
        `a ${lane} request reached this instance of ${config.app}, tagged "${own}": something other than Graylane routed it here (a Kubernetes Service that selects gray pods?); see docs/kubernetes.md`,
        `GL_LANE_LEAK\u0000${carried ?? ''}`,
      );
    },
    consumerGroups(next, byBroker = {}) {
      // More than the registry accepts would refuse the whole registration: trim instead.
      const { groups: sorted, metadata: labelled, dropped } = reportableGroups(next, byBroker);
      if (dropped.length > 0)
        log.once(
          'GL_CONSUMER_GROUPS_TRIMMED',
          `${dropped.length} consumer group(s) of ${config.app} are not reported to the control plane (at most ${INSTANCE_LIMITS.consumerGroups} groups of ${INSTANCE_LIMITS.groupChars} characters, ${INSTANCE_LIMITS.metadataChars} per broker list), first: ${dropped[0]}; the console will not list them and auto mode leaves their tags to the baseline`,
        );
      if (
        sorted.join('\n') === groups.join('\n') &&
        JSON.stringify(labelled) === JSON.stringify(groupsByBroker)
      )
        return;
      groups = sorted;
      groupsByBroker = labelled;
      registrationVersion++;
      void heartbeat();
    },
    listening(protocol, port, boundAddress) {
      if (ports[protocol] === port) return;
      // The first server of a protocol is the app's; later ones (admin, metrics) keep the first.
      if (ports[protocol] !== undefined) return;
      ports[protocol] = port;
      const reachable = reachableAddress(boundAddress, '');
      if (!addressFixed && reachable !== '') {
        // One address per instance: the first specific bind's. A wildcard server of the
        // other protocol (gRPC on 0.0.0.0, HTTP on 127.0.0.1) is reachable there too.
        addressFixed = true;
        address = reachable;
      }
      registrationVersion++;
      void heartbeat();
    },
    ready(timeoutMs = 3000) {
      return Promise.race([readyPromise, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      clearTimeout(beatTimer);
      closeWatch?.();
      metrics.stop();
      if (client && registeredVersion >= 0) {
        await Promise.all([
          flushMetrics(300),
          client
            .request('DELETE', `/v1/namespaces/${config.namespace}/instances/${id}`, undefined, 300)
            .catch(() => {}),
        ]);
      }
    },
  };
}
