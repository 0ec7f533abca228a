import { randomUUID } from 'node:crypto';
import type { Instance, Resource, RolloutStatus } from '@graylane/core';
import type { Notifier } from './change-log.js';
import { createInstanceStore } from './instance-store.js';
import { listenForChanges } from './listen-for-changes.js';
import { createMetricStore } from './metric-store.js';
import { createPostgresDb, type PostgresDb } from './postgres-db.js';
import { createResourceStore, withVersion } from './resource-store.js';
import { createRolloutStore } from './rollout-store.js';
import { migrate } from './schema.js';
import type { SqlDb } from './sql-db.js';
import { createSqliteDb } from './sqlite-db.js';
import type { AuditEntry, Store, StoredChange } from './store.js';
import { createTokenStore } from './token-store.js';

export interface StoreOptions {
  /** SQLite data directory (the default store). */
  data?: string;
  /** PostgreSQL connection URL; takes precedence over `data`. */
  postgres?: string;
}

type AuditRow = Omit<AuditEntry, 'before' | 'after'> & { before: string | null; after: string | null };

export async function createStore(options: StoreOptions): Promise<Store> {
  const db: SqlDb = options.postgres
    ? createPostgresDb(options.postgres)
    : createSqliteDb(options.data ?? '.graylane');
  await migrate(db);
  let notifier: Notifier | undefined;
  let channel = '';
  const replica = randomUUID();
  if (db.dialect === 'postgres') {
    // Channels are database-wide; naming them after the schema keeps replicas of
    // different schemas (one per test suite) from hearing each other.
    const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    channel = `graylane_${row?.schema ?? 'public'}`;
    notifier = async (tx, namespace, version) => {
      await tx.query('SELECT pg_notify($1, $2)', [channel, `${replica}|${namespace}|${version}`]);
    };
  }
  const stopListening: Array<() => Promise<void>> = [];

  const metricStore = createMetricStore(db);
  const store: Store = {
    dialect: db.dialect,
    location: db.location,
    ...createResourceStore(db, notifier),
    ...createInstanceStore(db, notifier),
    ...createTokenStore(db, notifier),
    ...createRolloutStore(db, notifier),
    ...metricStore,

    async prune(now, auditRetentionMs = 0) {
      await metricStore.prune(now);
      if (auditRetentionMs > 0) await db.query('DELETE FROM audit WHERE at < $1', [now - auditRetentionMs]);
    },

    async close() {
      for (const stop of stopListening) await stop();
      await db.close();
    },

    listNamespaces: () =>
      db.query<{ name: string; version: number }>('SELECT name, version FROM namespaces ORDER BY name'),

    async loadNamespace(namespace) {
      const [ns] = await db.query<{ version: number }>('SELECT version FROM namespaces WHERE name = $1', [
        namespace,
      ]);
      const resources = await db.query<{ body: string; version: number }>(
        'SELECT body, version FROM resources WHERE namespace = $1 ORDER BY kind, name',
        [namespace],
      );
      const instances = await db.query<{ body: string; last_heartbeat: number }>(
        'SELECT body, last_heartbeat FROM instances WHERE namespace = $1 ORDER BY app, id',
        [namespace],
      );
      const statuses = await db.query<{ name: string; body: string }>(
        'SELECT name, body FROM rollout_status WHERE namespace = $1',
        [namespace],
      );
      const apps = await db.query<{ name: string }>(
        'SELECT name FROM apps WHERE namespace = $1 ORDER BY name',
        [namespace],
      );
      return {
        version: ns?.version ?? 0,
        resources: resources.map((r): Resource => withVersion(r.body, r.version)),
        instances: instances.map(
          (r): Instance => ({ ...JSON.parse(r.body), lastHeartbeat: r.last_heartbeat }),
        ),
        apps: apps.map((a) => a.name),
        rolloutStatus: Object.fromEntries(statuses.map((r) => [r.name, JSON.parse(r.body) as RolloutStatus])),
      };
    },

    async changesSince(namespace, version) {
      const [ns] = await db.query<{ version: number }>('SELECT version FROM namespaces WHERE name = $1', [
        namespace,
      ]);
      const head = ns?.version ?? 0;
      if (version > head) return undefined;
      const rows = await db.query<{ version: number; body: string }>(
        'SELECT version, body FROM changes WHERE namespace = $1 AND version > $2 AND version <= $3 ORDER BY version',
        [namespace, version, head],
      );
      // Complete only if nothing between `version` and the head was pruned.
      if (rows.length !== head - version || (rows.length > 0 && rows[0]!.version !== version + 1))
        return undefined;
      return rows.map((r) => JSON.parse(r.body) as StoredChange);
    },

    async listAudit({ namespace, limit }) {
      const rows =
        namespace === undefined
          ? await db.query<AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT $1', [limit])
          : await db.query<AuditRow>('SELECT * FROM audit WHERE namespace = $1 ORDER BY id DESC LIMIT $2', [
              namespace,
              limit,
            ]);
      return rows.map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        before: r.before === null ? null : JSON.parse(r.before),
        after: r.after === null ? null : JSON.parse(r.after),
      }));
    },

    async listen(onChange) {
      if (db.dialect !== 'postgres') return;
      const stop = await listenForChanges(db as PostgresDb, channel, replica, onChange, () =>
        store.listNamespaces(),
      );
      stopListening.push(stop);
    },
  };
  return store;
}
