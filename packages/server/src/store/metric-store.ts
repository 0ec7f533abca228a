import { LATENCY_COLUMNS } from './schema.js';
import type { SqlDb } from './sql-db.js';
import type { EdgeRow, MessageRow, MetricRow, Store } from './store.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const TABLES = ['metric_points', 'edge_points', 'message_points'];

/** An INSERT that adds `sums` to the row with the same key instead of replacing it. */
function upsert(table: string, keys: string[], sums: string[], conflict: string[]): string {
  const columns = [...keys, ...sums];
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const set = sums.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})
    ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${set}`;
}

const counts = (row: Record<string, number | string>) => LATENCY_COLUMNS.map((c) => Number(row[c]));

/**
 * Metric points are added, never replaced: two replicas receiving reports for
 * the same app, tag and second both add their share to one row.
 */
export function createMetricStore(
  db: SqlDb,
): Pick<Store, 'addMetrics' | 'queryMetrics' | 'queryEdges' | 'queryMessages' | 'prune'> {
  const sums = ['requests', 'errors', ...LATENCY_COLUMNS];
  const points = upsert('metric_points', ['namespace', 'app', 'tag', 'res', 't'], sums, [
    'namespace',
    'app',
    'res',
    't',
    'tag',
  ]);
  const edgeKeys = ['namespace', 'app', 'tag', 'target', 'target_tag', 'fallback', 'res', 't'];
  const edges = upsert('edge_points', edgeKeys, sums, edgeKeys);
  const messageKeys = ['namespace', 'app', 'tag', 'direction', 'system', 'res', 't'];
  const messages = upsert('message_points', messageKeys, ['count'], messageKeys);

  return {
    async addMetrics(batch) {
      if (batch.points.length + batch.edges.length + batch.messages.length === 0) return;
      await db.transaction(async (tx) => {
        for (const r of batch.points) {
          await tx.query(points, [r.namespace, r.app, r.tag, r.res, r.t, r.requests, r.errors, ...r.counts]);
        }
        for (const r of batch.edges) {
          const key = [r.namespace, r.app, r.tag, r.target, r.targetTag, r.fallback ? 1 : 0, r.res, r.t];
          await tx.query(edges, [...key, r.requests, r.errors, ...r.counts]);
        }
        for (const r of batch.messages) {
          await tx.query(messages, [r.namespace, r.app, r.tag, r.direction, r.system, r.res, r.t, r.count]);
        }
      });
    },

    async queryMetrics(namespace, app, res, from, to = Number.MAX_SAFE_INTEGER) {
      const rows = await db.query<Record<string, number | string>>(
        `SELECT tag, t, requests, errors, ${LATENCY_COLUMNS.join(', ')} FROM metric_points
         WHERE namespace = $1 AND app = $2 AND res = $3 AND t >= $4 AND t < $5 ORDER BY t`,
        [namespace, app, res, from, to],
      );
      return rows.map(
        (row): MetricRow => ({
          namespace,
          app,
          res,
          tag: String(row.tag),
          t: Number(row.t),
          requests: Number(row.requests),
          errors: Number(row.errors),
          counts: counts(row),
        }),
      );
    },

    async queryEdges(namespace, res, from) {
      const rows = await db.query<Record<string, number | string>>(
        `SELECT app, tag, target, target_tag, fallback, t, requests, errors, ${LATENCY_COLUMNS.join(', ')}
         FROM edge_points WHERE namespace = $1 AND res = $2 AND t >= $3 ORDER BY t`,
        [namespace, res, from],
      );
      return rows.map(
        (row): EdgeRow => ({
          namespace,
          res,
          app: String(row.app),
          tag: String(row.tag),
          target: String(row.target),
          targetTag: String(row.target_tag),
          fallback: Number(row.fallback) === 1,
          t: Number(row.t),
          requests: Number(row.requests),
          errors: Number(row.errors),
          counts: counts(row),
        }),
      );
    },

    async queryMessages(namespace, app, res, from) {
      const rows = await db.query<Record<string, number | string>>(
        `SELECT app, tag, direction, system, t, count FROM message_points
         WHERE namespace = $1 AND res = $2 AND t >= $3 ${app === undefined ? '' : 'AND app = $4'} ORDER BY t`,
        app === undefined ? [namespace, res, from] : [namespace, res, from, app],
      );
      return rows.map(
        (row): MessageRow => ({
          namespace,
          res,
          app: String(row.app),
          tag: String(row.tag),
          direction: String(row.direction),
          system: String(row.system),
          t: Number(row.t),
          count: Number(row.count),
        }),
      );
    },

    async prune(now) {
      for (const table of TABLES) {
        await db.query(`DELETE FROM ${table} WHERE res = 's' AND t < $1`, [now - HOUR]);
        await db.query(`DELETE FROM ${table} WHERE res = 'm' AND t < $1`, [now - WEEK]);
      }
      // A watcher that was away longer than this gets a fresh snapshot instead of the changes.
      await db.query('DELETE FROM changes WHERE at < $1', [now - HOUR]);
    },
  };
}
