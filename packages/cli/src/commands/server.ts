import { startServer } from '@graylane/server';
import { parseFlags, usageError } from '../command-failure.js';
import { readTls, tlsFlagSpec, tlsFlagsHelp } from '../control-plane/tls-flags.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane server [options]

Runs the control plane: REST API under /v1 (OpenAPI at /openapi.json), registry,
config push (watch), metrics and auth.

options:
  --port N              port to listen on (default 7070; 0 picks a free one)
  --host H              interface to listen on (default: all)
  --data DIR            SQLite data directory (default ./.graylane)
  --postgres URL        store in PostgreSQL instead; replicas share one database
  --admin-token T       seed this admin token (env GRAYLANE_ADMIN_TOKEN); without it, an
                        empty store gets a generated one, printed once
  --instance-ttl D      instance expiry without heartbeat, e.g. 15s or 15000 (default 15s, at least 3s;
                        agents heartbeat at a third of it)
  --audit-retention-days N
                        delete audit entries older than N days (default 90; 0 keeps them all)
  --max-resource-size N largest resource stored, in bytes as JSON (default 262144 = 256 kB;
                        also 64k, 1m); every agent receives each resource in full
  --prometheus-url URL  Prometheus for Rollout metrics of provider "prometheus" without an address
  --insecure-no-auth    accept every request as admin (local experiments only)
${tlsFlagsHelp(24)}

Agents, the gateway and the CLI trust an HTTPS control plane whose certificate
chains to the system store or to the CA in GRAYLANE_CA (a PEM file or its text).`;

function duration(text: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!m) throw usageError(`--instance-ttl ${text} is not a duration: use e.g. 15s, 3000ms or 15000`, USAGE);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

function days(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  throw usageError(
    `--audit-retention-days ${text} is not a number of days: use e.g. 90, or 0 to keep the audit log forever`,
    USAGE,
  );
}

function bytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(k|m)?$/i.exec(text);
  if (m) return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1024 : 1024 * 1024) : 1);
  throw usageError(`--max-resource-size ${text} is not a size: use bytes, or e.g. 256k or 1m`, USAGE);
}

function parseOptions(args: string[]) {
  return parseFlags(USAGE, {
    args,
    options: {
      port: { type: 'string', default: '7070' },
      host: { type: 'string' },
      data: { type: 'string' },
      postgres: { type: 'string' },
      'admin-token': { type: 'string' },
      'instance-ttl': { type: 'string' },
      'audit-retention-days': { type: 'string' },
      'max-resource-size': { type: 'string' },
      'prometheus-url': { type: 'string' },
      'insecure-no-auth': { type: 'boolean' },
      ...tlsFlagSpec,
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

const server: Command = async (args) => {
  const values = parseOptions(args);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`--port ${values.port} is not a port number`, USAGE);
  }
  const running = await startServer({
    port,
    host: values.host,
    data: values.data,
    postgres: values.postgres,
    adminToken: values['admin-token'] ?? (process.env.GRAYLANE_ADMIN_TOKEN || undefined),
    insecureNoAuth: values['insecure-no-auth'] === true,
    instanceTtlMs: values['instance-ttl'] === undefined ? undefined : duration(values['instance-ttl']),
    auditRetentionDays: days(values['audit-retention-days']),
    maxResourceBytes: bytes(values['max-resource-size']),
    prometheusUrl: values['prometheus-url'],
    tls: readTls(values, USAGE),
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // Printed once the signal handlers are in place: whoever reads this line may stop the server at once.
  console.log(
    `graylane control plane listening on ${running.url} (store: ${running.store} ${running.location})`,
  );
  if (values['insecure-no-auth'])
    console.error('warning: --insecure-no-auth: every request is treated as admin');
  await stopped;
  return 0;
};

export default server;
