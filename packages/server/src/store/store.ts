import type { ConfigChange, Instance, Resource, ResourceKind, RolloutStatus } from '@graylane/core';

/**
 * What the change log holds: the routing changes agents receive, plus Rollout
 * changes and rollout status updates, which stay on the control plane (the
 * namespace state turns them into the Lane their weight affects).
 */
export type StoredChange =
  | Exclude<ConfigChange, { type: 'put' } | { type: 'delete' }>
  | { version: number; type: 'put'; resource: Resource }
  | { version: number; type: 'delete'; kind: ResourceKind; name: string }
  | { version: number; type: 'rollout-status'; name: string; status: RolloutStatus | null };

export type Role = 'admin' | 'viewer' | 'agent';

/** A change together with the namespace whose version it advanced. */
export interface NamespaceChange {
  namespace: string;
  change: StoredChange;
}

export interface ApplyResult {
  kind: ResourceKind;
  name: string;
  namespace: string;
  action: 'created' | 'configured' | 'unchanged';
  /** The stored version; '' for a resource a dry run would create. */
  resourceVersion: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  kind: string;
  namespace: string | null;
  name: string;
  before: unknown;
  after: unknown;
}

export interface TokenRecord {
  name: string;
  role: Role;
  createdAt: number;
  /** An agent token with apps acts only for those apps; without, for every app. */
  apps?: string[];
  /** Milliseconds since the epoch after which the token is refused; none = never. */
  expiresAt?: number;
}

/**
 * Decides inside the write's transaction whether the caller may change the stored
 * instance (undefined: none stored); throws GL_FORBIDDEN when not. `owner` is the
 * token that registered it.
 */
export type InstanceGuard = (stored: { app: string; owner: string | null } | undefined) => void;

export interface NamespaceData {
  version: number;
  resources: Resource[];
  /** Rollout status by rollout name. */
  rolloutStatus: Record<string, RolloutStatus>;
  instances: Instance[];
  apps: string[];
}

/** One row of the metrics series: a time bucket of one app and tag, at second or minute resolution. */
export interface MetricRow {
  namespace: string;
  app: string;
  tag: string;
  res: 's' | 'm';
  t: number;
  requests: number;
  errors: number;
  /** One count per canonical latency bucket, the last for slower requests. */
  counts: number[];
}

/** One time bucket of the calls from `app` in lane `tag` to `target`, by the tag they reached. */
export interface EdgeRow {
  namespace: string;
  app: string;
  tag: string;
  target: string;
  targetTag: string;
  fallback: boolean;
  res: 's' | 'm';
  t: number;
  requests: number;
  errors: number;
  counts: number[];
}

/** One time bucket of messages an app produced or consumed in lane `tag`. */
export interface MessageRow {
  namespace: string;
  app: string;
  tag: string;
  direction: string;
  system: string;
  res: 's' | 'm';
  t: number;
  count: number;
}

export interface MetricBatch {
  points: MetricRow[];
  edges: EdgeRow[];
  messages: MessageRow[];
}

/**
 * Everything the control plane keeps. Every mutation runs in one transaction that
 * also advances the namespace version, records the change for watchers and
 * writes the audit entry, so none of the three can be lost without the others.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: string;
  close(): Promise<void>;

  listNamespaces(): Promise<Array<{ name: string; version: number }>>;
  loadNamespace(namespace: string): Promise<NamespaceData>;
  /** Every change after `version` in order, or undefined when the history no longer reaches back that far. */
  changesSince(namespace: string, version: number): Promise<StoredChange[] | undefined>;

  getResource(namespace: string, kind: ResourceKind, name: string): Promise<Resource | undefined>;
  listResources(namespace: string, kind: ResourceKind): Promise<Resource[]>;
  applyResources(
    resources: Resource[],
    actor: string,
    dryRun: boolean,
  ): Promise<{ results: ApplyResult[]; changes: NamespaceChange[] }>;
  deleteResource(
    namespace: string,
    kind: ResourceKind,
    name: string,
    actor: string,
  ): Promise<NamespaceChange | undefined>;

  /** `owner` (a token name) is recorded when given, else the stored owner is kept. */
  putInstance(
    instance: Instance,
    actor: string,
    owner?: string,
    guard?: InstanceGuard,
  ): Promise<NamespaceChange>;
  getInstance(namespace: string, id: string): Promise<Instance | undefined>;
  /** The token that registered the instance: null for none recorded, undefined when there is no such instance. */
  instanceOwner(namespace: string, id: string): Promise<string | null | undefined>;
  deleteInstance(
    namespace: string,
    id: string,
    actor: string,
    guard?: InstanceGuard,
  ): Promise<NamespaceChange | undefined>;
  /** Records heartbeats in one batch; no change, no audit. */
  touchInstances(beats: Array<{ namespace: string; id: string; at: number }>): Promise<void>;
  expireInstances(cutoff: number): Promise<NamespaceChange[]>;

  /**
   * Writes a rollout's status (null removes it) as a change, with an audit entry
   * when `audit` is given. With `lease`, the write happens only while that lease
   * is still held by `holder`: a replica that lost it cannot overwrite the new
   * leader's work. Returns undefined when the lease was not held or `expect` no longer holds.
   */
  putRolloutStatus(
    namespace: string,
    name: string,
    status: RolloutStatus | null,
    options: {
      lease?: { name: string; holder: string };
      /** The `updatedAt` of the status this one was computed from (null: none); another write since → no write. */
      expect?: number | null;
      audit?: { actor: string; action: string; before: unknown; after: unknown };
    },
  ): Promise<NamespaceChange | undefined>;
  getRolloutStatus(namespace: string, name: string): Promise<RolloutStatus | undefined>;
  /**
   * Takes or renews the named lease for `holder` until `now + ttlMs`; true while
   * this holder has it. A lease expires when its holder stops renewing it.
   */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  listAudit(filter: { namespace?: string; limit: number }): Promise<AuditEntry[]>;

  findToken(hash: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  countTokens(): Promise<number>;
  createToken(record: TokenRecord, hash: string, actor: string): Promise<void>;
  /**
   * Deletes a token. The last admin token that has not expired is refused with
   * GL_CONFLICT unless `allowLastAdmin` (the seeding of a new admin token replaces it).
   */
  deleteToken(name: string, actor: string, allowLastAdmin?: boolean): Promise<boolean>;

  /** Adds (never replaces) a batch of metric buckets, in one transaction. */
  addMetrics(batch: MetricBatch): Promise<void>;
  /** Inbound buckets of one app from `from` (inclusive) to `to` (exclusive, default: no end). */
  queryMetrics(
    namespace: string,
    app: string,
    res: 's' | 'm',
    from: number,
    to?: number,
  ): Promise<MetricRow[]>;
  /** Edge buckets of every app of the namespace from `from`. */
  queryEdges(namespace: string, res: 's' | 'm', from: number): Promise<EdgeRow[]>;
  /** Message buckets from `from`, of one app or (without `app`) of every app. */
  queryMessages(
    namespace: string,
    app: string | undefined,
    res: 's' | 'm',
    from: number,
  ): Promise<MessageRow[]>;
  /** Drops changes and metric points past their retention, and audit entries older than `auditRetentionMs` (0 keeps them). */
  prune(now: number, auditRetentionMs?: number): Promise<void>;

  /**
   * Calls `onChange` when another replica commits a change (PostgreSQL LISTEN/NOTIFY).
   * A no-op for SQLite, where this process is the only writer.
   */
  listen(onChange: (namespace: string, version: number) => void): Promise<void>;
}
