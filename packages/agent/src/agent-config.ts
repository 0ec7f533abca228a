import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE, GraylaneError, isValidTag, TAG_RULE } from '@graylane/core';
import type { LogLevel } from './logger.js';

export interface AgentConfig {
  disabled: boolean;
  /** Control plane URL without a trailing slash; '' runs the agent from the disk cache alone. */
  server: string;
  app: string;
  tag: string;
  namespace: string;
  token: string;
  host: string;
  cacheDir: string;
  logLevel: LogLevel;
  metricsIntervalMs: number;
}

const levels: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** First non-internal IPv4 address: what other services reach this process at. */
export function detectAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

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
  const interval = Number(env.GRAYLANE_METRICS_INTERVAL_MS ?? 5000);
  return {
    disabled,
    server,
    app,
    tag,
    namespace: env.GRAYLANE_NAMESPACE || DEFAULT_NAMESPACE,
    token: env.GRAYLANE_TOKEN ?? '',
    host: env.GRAYLANE_HOST || detectAddress(),
    cacheDir: env.GRAYLANE_CACHE_DIR || join(tmpdir(), 'graylane-cache'),
    logLevel,
    metricsIntervalMs: Number.isFinite(interval) && interval >= 100 ? interval : 5000,
  };
}

/** An id that stays the same for this process across reconnects. */
export function instanceId(config: AgentConfig): string {
  return `${config.app}-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 200);
}
