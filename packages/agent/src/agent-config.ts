import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_NAMESPACE,
  GraylaneError,
  isReservedTag,
  isValidTag,
  RESERVED_TAG_RULE,
  TAG_RULE,
} from '@graylane/core/runtime';
import type { LogLevel } from './logger.js';
import { readTrustedCas } from './trusted-cas.js';

export interface AgentConfig {
  disabled: boolean;
  /** Control plane URL without a trailing slash; '' runs the agent from the disk cache alone. */
  server: string;
  app: string;
  tag: string;
  namespace: string;
  token: string;
  /** Where a server bound to a wildcard address (`0.0.0.0`, `::`) is reached: GRAYLANE_HOST or detected. */
  host: string;
  /** The Kubernetes namespace of this pod (GRAYLANE_K8S_NAMESPACE; default: the Graylane namespace). */
  k8sNamespace: string;
  /** GRAYLANE_CLUSTER_DOMAIN, default `cluster.local`. */
  clusterDomain: string;
  /** Extra host names this app is called by (GRAYLANE_SERVICE_NAMES, comma separated). */
  serviceNames: string[];
  cacheDir: string;
  logLevel: LogLevel;
  metricsIntervalMs: number;
  /** CAs trusted for an https:// control plane; undefined for an http:// one. */
  ca: string[] | undefined;
}

const levels: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * First non-internal address (IPv4 first, else a global IPv6 one): what other services
 * reach a process bound to a wildcard address at.
 */
export function detectAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const v4 = all.find((i) => i.family === 'IPv4' && !i.internal);
  if (v4) return v4.address;
  const v6 = all.find((i) => i.family === 'IPv6' && !i.internal && !i.address.startsWith('fe80'));
  return v6?.address ?? '127.0.0.1';
}

const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * Reads the agent's identity from the environment, validated once here. Bad
 * values throw a GraylaneError with the variable to fix; the caller turns that
 * into "agent off" so the app still starts.
 */
export function readAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const disabled = env.GRAYLANE_DISABLED === '1' || env.GRAYLANE_DISABLED === 'true';
  const logLevel = (env.GRAYLANE_LOG_LEVEL ?? 'warn') as LogLevel;
  if (!levels.includes(logLevel)) {
    throw new GraylaneError(
      'GL_AGENT_CONFIG_INVALID',
      `GRAYLANE_LOG_LEVEL must be one of ${levels.join(', ')}`,
    );
  }
  const app = env.GRAYLANE_APP ?? '';
  if (!disabled && !/^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/.test(app)) {
    throw new GraylaneError(
      'GL_AGENT_CONFIG_INVALID',
      `GRAYLANE_APP ${JSON.stringify(app)} is not a valid app name: set it to the service's name (lowercase letters, digits, ".", "-", "_")`,
    );
  }
  const tag = env.GRAYLANE_TAG ?? '';
  if (isReservedTag(tag)) {
    throw new GraylaneError('GL_TAG_RESERVED', `GRAYLANE_TAG ${JSON.stringify(tag)}: ${RESERVED_TAG_RULE}`);
  }
  if (tag !== '' && !isValidTag(tag)) {
    throw new GraylaneError(
      'GL_TAG_INVALID',
      `GRAYLANE_TAG ${JSON.stringify(tag)} is not a valid tag: use ${TAG_RULE}`,
    );
  }
  const server = (env.GRAYLANE_SERVER ?? '').replace(/\/+$/, '');
  if (server !== '' && !/^https?:\/\//.test(server)) {
    throw new GraylaneError(
      'GL_AGENT_CONFIG_INVALID',
      `GRAYLANE_SERVER ${JSON.stringify(server)} must be an http:// or https:// URL of the control plane`,
    );
  }
  const serviceNames = (env.GRAYLANE_SERVICE_NAMES ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  const badName = serviceNames.find((n) => !NAME.test(n));
  if (badName !== undefined) {
    throw new GraylaneError(
      'GL_AGENT_CONFIG_INVALID',
      `GRAYLANE_SERVICE_NAMES holds ${JSON.stringify(badName)}, which is not a host name: list the names this app is called by, comma separated`,
    );
  }
  const namespace = env.GRAYLANE_NAMESPACE || DEFAULT_NAMESPACE;
  const interval = Number(env.GRAYLANE_METRICS_INTERVAL_MS ?? 5000);
  const ca = server.startsWith('https://') ? readTrustedCas(env) : undefined;
  return {
    disabled,
    server,
    app,
    tag,
    namespace,
    token: env.GRAYLANE_TOKEN ?? '',
    host: env.GRAYLANE_HOST || detectAddress(),
    k8sNamespace: (env.GRAYLANE_K8S_NAMESPACE || namespace).toLowerCase(),
    clusterDomain: (env.GRAYLANE_CLUSTER_DOMAIN || 'cluster.local').replace(/^\.+|\.+$/g, '').toLowerCase(),
    serviceNames,
    cacheDir: env.GRAYLANE_CACHE_DIR || join(tmpdir(), 'graylane-cache'),
    logLevel,
    metricsIntervalMs: Number.isFinite(interval) && interval >= 100 ? interval : 5000,
    ca,
  };
}

/** An id that stays the same for this process across reconnects. */
export function instanceId(config: AgentConfig): string {
  return `${config.app}-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 200);
}
