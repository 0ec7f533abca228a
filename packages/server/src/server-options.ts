import { z } from 'zod';

export const serverOptionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(7070),
  /** Interface to listen on; all interfaces by default, as agents connect from other hosts. */
  host: z.string().min(1).optional(),
  /** SQLite data directory (default `./.graylane`). */
  data: z.string().min(1).optional(),
  /** PostgreSQL URL; replicas sharing one database serve the same configuration. */
  postgres: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL starts with postgres://')
    .optional(),
  /** Seeds this admin token instead of generating one. */
  adminToken: z.string().min(8, 'an admin token has at least 8 characters').optional(),
  /** Every request is treated as admin. Only for local experiments. */
  insecureNoAuth: z.boolean().default(false),
  /** At least MIN_INSTANCE_TTL_MS (checked in startServer with its own code). */
  instanceTtlMs: z.number().int().min(1).default(15_000),
  /** Audit entries older than this are deleted (at start, then every minute); 0 keeps them forever. */
  auditRetentionDays: z.number().min(0).default(90),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** The largest resource stored, as JSON bytes: every agent receives each resource in full. */
  maxResourceBytes: z
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Prometheus server for Rollout metrics of provider `prometheus` that name no address. */
  prometheusUrl: z.url({ protocol: /^https?$/, error: 'the Prometheus URL is an http(s) URL' }).optional(),
  /**
   * PostgreSQL only: how often a replica re-reads every namespace's version, the safety net
   * under LISTEN/NOTIFY for a notification lost with a dropped connection.
   */
  versionPollMs: z.number().int().min(100).default(5_000),
  /** How often the rollout controller runs a pass. */
  rolloutTickMs: z.number().int().min(10).default(1000),
  /** How long the rollout controller's lease lasts without renewal (another replica takes over after it). */
  rolloutLeaseMs: z.number().int().min(100).default(10_000),
  /** How long after an analysis window ends it is judged (agents report metrics every few seconds). */
  analysisLagMs: z.number().int().min(0).default(7000),
  /**
   * A watch stream with more than this many bytes not yet taken by its reader is
   * behind: it gets no more changes until it has read them, then one fresh snapshot.
   */
  watchBufferBytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** Serve HTTPS with this PEM certificate (chain) and unencrypted PEM key instead of HTTP. */
  tls: z
    .strictObject({
      cert: z.union([z.string(), z.instanceof(Buffer)]),
      key: z.union([z.string(), z.instanceof(Buffer)]),
    })
    .optional(),
  /** Where startup lines and internal errors go (stdout by default). */
  log: z.custom<(line: string) => void>((v) => typeof v === 'function').optional(),
});

export type ServerOptions = z.input<typeof serverOptionsSchema>;

/** Agents beat at a third of the TTL: below 3 s a one-second pause (GC, busy host) expires live instances. */
export const MIN_INSTANCE_TTL_MS = 3000;
