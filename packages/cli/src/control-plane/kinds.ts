import { GraylaneError } from '@graylane/core';

// biome-ignore lint/suspicious/noExplicitAny: rows are JSON from the API
type Item = any;

export interface KindInfo {
  /** What people call it: `Lane`, `app`, ... */
  title: string;
  /** Path of the list, given the namespace. */
  list: (ns: string) => string;
  /** Path of one item, or undefined when items are found in the list. */
  one?: (ns: string, name: string) => string;
  /** Path to delete one item; absent when it cannot be deleted. */
  remove?: (ns: string, name: string) => string;
  /** The name of an item in the list. */
  nameOf: (item: Item) => string;
  columns: Record<string, (item: Item) => unknown>;
  /** True for resource documents (output as re-appliable YAML). */
  document?: boolean;
}

const e = encodeURIComponent;
const resource = (kind: string, plural: string, columns: KindInfo['columns']): KindInfo => ({
  title: kind,
  list: (ns) => `/v1/namespaces/${e(ns)}/${plural}`,
  one: (ns, name) => `/v1/namespaces/${e(ns)}/${plural}/${e(name)}`,
  remove: (ns, name) => `/v1/namespaces/${e(ns)}/${plural}/${e(name)}`,
  nameOf: (r) => r.metadata.name,
  document: true,
  columns: { NAME: (r) => r.metadata.name, ...columns, VERSION: (r) => r.metadata.resourceVersion },
});

const age = (ms: number) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};
const byTag = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([tag, n]) => `${tag || 'baseline'}:${n}`)
    .join(' ') || '-';

const kinds: Record<string, KindInfo> = {
  lane: resource('Lane', 'lanes', {
    TAG: (r) => r.spec.tag,
    PRIORITY: (r) => r.spec.priority,
    'ENTRY APPS': (r) => r.spec.entry?.apps.join(',') ?? '-',
    WEIGHT: (r) => r.spec.entry?.weight ?? 0,
    FALLBACK: (r) => r.spec.fallback,
  }),
  messagegrayscale: resource('MessageGrayscale', 'messagegrayscales', {
    ENABLED: (r) => r.spec.enabled,
    FILTER: (r) => r.spec.filter,
    'IGNORED TAGS': (r) => r.spec.baselineIgnoredTags.join(',') || '-',
  }),
  gatewayroute: resource('GatewayRoute', 'gatewayroutes', {
    MATCH: (r) => r.spec.match.pathPrefix ?? r.spec.match.path,
    APP: (r) => r.spec.app,
    TIMEOUT: (r) => `${r.spec.timeoutMs}ms`,
  }),
  rollout: resource('Rollout', 'rollouts', {
    LANE: (r) => r.spec.lane,
    PHASE: (r) => r.status?.phase ?? 'Pending',
    STEP: (r) => (r.status ? `${r.status.step + 1}/${r.spec.steps.length}` : '-'),
    WEIGHT: (r) => r.status?.weight ?? 0,
    'FAILED RUNS': (r) => r.status?.failedRuns ?? 0,
  }),
  app: {
    title: 'app',
    list: (ns) => `/v1/namespaces/${e(ns)}/apps`,
    one: (ns, name) => `/v1/namespaces/${e(ns)}/apps/${e(name)}`,
    nameOf: (a) => a.name,
    columns: { NAME: (a) => a.name, INSTANCES: (a) => byTag(a.instances) },
  },
  instance: {
    title: 'instance',
    list: (ns) => `/v1/namespaces/${e(ns)}/instances`,
    remove: (ns, id) => `/v1/namespaces/${e(ns)}/instances/${e(id)}`,
    nameOf: (i) => i.id,
    columns: {
      ID: (i) => i.id,
      APP: (i) => i.app,
      TAG: (i) => i.tag || 'baseline',
      ADDRESS: (i) => i.address,
      PORTS: (i) =>
        Object.entries(i.ports ?? {})
          .map(([p, n]) => `${p}:${n}`)
          .join(',') || '-',
      'CONSUMER GROUPS': (i) => consumerGroupsOf(i),
      HEARTBEAT: (i) => `${age(i.lastHeartbeat)} ago`,
    },
  },
  namespace: {
    title: 'namespace',
    list: () => '/v1/namespaces',
    nameOf: (n) => n.name,
    columns: { NAME: (n) => n.name, VERSION: (n) => n.version },
  },
  audit: {
    title: 'audit',
    list: (ns) => `/v1/audit?namespace=${e(ns)}`,
    nameOf: (a) => String(a.id),
    columns: {
      ID: (a) => a.id,
      AT: (a) => new Date(a.at).toISOString(),
      ACTOR: (a) => a.actor,
      ACTION: (a) => a.action,
      KIND: (a) => a.kind,
      NAME: (a) => a.name,
    },
  },
  token: {
    title: 'token',
    list: () => '/v1/tokens',
    remove: (_, name) => `/v1/tokens/${e(name)}`,
    nameOf: (t) => t.name,
    columns: {
      NAME: (t) => t.name,
      ROLE: (t) => t.role,
      APPS: (t) => (t.role === 'agent' ? (t.apps?.join(',') ?? '*') : '-'),
      CREATED: (t) => new Date(t.createdAt).toISOString(),
      EXPIRES: (t) => (t.expiresAt === undefined ? 'never' : new Date(t.expiresAt).toISOString()),
    },
  },
};

const aliases: Record<string, string> = {
  lanes: 'lane',
  messagegrayscales: 'messagegrayscale',
  mg: 'messagegrayscale',
  gatewayroutes: 'gatewayroute',
  route: 'gatewayroute',
  routes: 'gatewayroute',
  rollouts: 'rollout',
  ro: 'rollout',
  apps: 'app',
  instances: 'instance',
  namespaces: 'namespace',
  ns: 'namespace',
  tokens: 'token',
};

/** Looks a KIND argument up, case-insensitively, with plurals and short names. */
export function kindOf(word: string | undefined): KindInfo {
  const key = (word ?? '').toLowerCase();
  const info = kinds[aliases[key] ?? key];
  if (info === undefined) {
    throw new GraylaneError(
      'GL_KIND_UNKNOWN',
      `unknown kind ${JSON.stringify(word ?? '')}: use one of ${Object.keys(kinds).join(', ')} (plurals work too)`,
    );
  }
  return info;
}

/** `kafka:orders_gray rocketmq:orders-push_gray`: each group with its broker when the agent said which. */
function consumerGroupsOf(instance: {
  consumerGroups?: string[];
  metadata?: Record<string, string>;
}): string {
  const labelled = Object.entries(instance.metadata ?? {})
    .filter(([key]) => key.startsWith('consumer-groups.'))
    .flatMap(([key, list]) => list.split(',').map((g) => `${key.slice('consumer-groups.'.length)}:${g}`));
  if (labelled.length > 0) return labelled.sort().join(' ');
  return (instance.consumerGroups ?? []).join(' ') || '-';
}
