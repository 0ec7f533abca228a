import type { SqlDb } from './sql-db.js';

/** Canonical latency buckets (upper bounds, ms); agents' own buckets are folded into these. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;
/** One count column per bound plus one for slower requests. */
export const LATENCY_COLUMNS = [...LATENCY_BOUNDS_MS, Infinity].map((_, i) => `c${i}`);

function statements(dialect: SqlDb['dialect']): string[] {
  const serial = dialect === 'postgres' ? 'bigserial PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const counts = LATENCY_COLUMNS.map((c) => `${c} double precision NOT NULL DEFAULT 0`).join(', ');
  return [
    'CREATE TABLE IF NOT EXISTS namespaces (name text PRIMARY KEY, version bigint NOT NULL DEFAULT 0)',
    `CREATE TABLE IF NOT EXISTS resources (namespace text NOT NULL, kind text NOT NULL, name text NOT NULL,
      body text NOT NULL, version bigint NOT NULL, PRIMARY KEY (namespace, kind, name))`,
    `CREATE TABLE IF NOT EXISTS changes (namespace text NOT NULL, version bigint NOT NULL, at bigint NOT NULL,
      body text NOT NULL, PRIMARY KEY (namespace, version))`,
    'CREATE INDEX IF NOT EXISTS changes_at ON changes (at)',
    `CREATE TABLE IF NOT EXISTS instances (namespace text NOT NULL, id text NOT NULL, app text NOT NULL,
      body text NOT NULL, last_heartbeat bigint NOT NULL, owner text, PRIMARY KEY (namespace, id))`,
    'CREATE INDEX IF NOT EXISTS instances_heartbeat ON instances (last_heartbeat)',
    `CREATE TABLE IF NOT EXISTS apps (namespace text NOT NULL, name text NOT NULL, first_seen bigint NOT NULL,
      PRIMARY KEY (namespace, name))`,
    `CREATE TABLE IF NOT EXISTS audit (id ${serial}, at bigint NOT NULL, actor text NOT NULL,
      action text NOT NULL, kind text NOT NULL, namespace text, name text NOT NULL, before text, after text)`,
    'CREATE INDEX IF NOT EXISTS audit_namespace ON audit (namespace, id)',
    `CREATE TABLE IF NOT EXISTS tokens (name text PRIMARY KEY, role text NOT NULL, hash text NOT NULL UNIQUE,
      created_at bigint NOT NULL, apps text, expires_at bigint)`,
    `CREATE TABLE IF NOT EXISTS rollout_status (namespace text NOT NULL, name text NOT NULL, body text NOT NULL,
      PRIMARY KEY (namespace, name))`,
    `CREATE TABLE IF NOT EXISTS leases (name text PRIMARY KEY, holder text NOT NULL, expires_at bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS metric_points (namespace text NOT NULL, app text NOT NULL, tag text NOT NULL,
      res text NOT NULL, t bigint NOT NULL, requests double precision NOT NULL DEFAULT 0,
      errors double precision NOT NULL DEFAULT 0, ${counts}, PRIMARY KEY (namespace, app, res, t, tag))`,
    // The edges of the lanes: calls from app (in lane tag) to target, by the tag they reached.
    `CREATE TABLE IF NOT EXISTS edge_points (namespace text NOT NULL, app text NOT NULL, tag text NOT NULL,
      target text NOT NULL, target_tag text NOT NULL, fallback integer NOT NULL, res text NOT NULL,
      t bigint NOT NULL, requests double precision NOT NULL DEFAULT 0,
      errors double precision NOT NULL DEFAULT 0, ${counts},
      PRIMARY KEY (namespace, res, t, app, tag, target, target_tag, fallback))`,
    `CREATE TABLE IF NOT EXISTS message_points (namespace text NOT NULL, app text NOT NULL, tag text NOT NULL,
      direction text NOT NULL, system text NOT NULL, res text NOT NULL, t bigint NOT NULL,
      count double precision NOT NULL DEFAULT 0,
      PRIMARY KEY (namespace, app, res, t, tag, direction, system))`,
  ];
}

/** Columns added after the first release: a store created before them gets them on start. */
const addedColumns = [
  ['tokens', 'apps', 'text'],
  ['tokens', 'expires_at', 'bigint'],
  ['instances', 'owner', 'text'],
] as const;

/** Creates the tables when missing. Replicas starting together take turns (advisory lock). */
export async function migrate(db: SqlDb): Promise<void> {
  await db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7070707)');
    for (const sql of statements(db.dialect)) await tx.query(sql);
    for (const [table, column, type] of addedColumns) {
      if (db.dialect === 'postgres') {
        await tx.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
        continue;
      }
      const columns = await tx.query<{ name: string }>(`PRAGMA table_info(${table})`);
      if (!columns.some((c) => c.name === column))
        await tx.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  });
}
