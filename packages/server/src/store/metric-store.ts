import { LATENCY_COLUMNS } from './schema.js';
import type { SqlDb } from './sql-db.js';
import type { MetricRow, Store } from './store.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/**
 * Metric points are added, never replaced: two replicas receiving reports for
 * the same app, tag and second both add their share to one row.
 */
export function createMetricStore(db: SqlDb): Pick<Store, 'addMetrics' | 'queryMetrics' | 'prune'> {
  const columns = ['namespace', 'app', 'tag', 'res', 't', 'requests', 'errors', ...LATENCY_COLUMNS];
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const sums = ['requests', 'errors', ...LATENCY_COLUMNS].map(
    (c) => `${c} = metric_points.${c} + excluded.${c}`,
  );
  const upsert = `INSERT INTO metric_points (${columns.join(', ')}) VALUES (${placeholders})
    ON CONFLICT (namespace, app, res, t, tag) DO UPDATE SET ${sums.join(', ')}`;

  return {
    async addMetrics(rows) {
      if (rows.length === 0) return;
      await db.transaction(async (tx) => {
        for (const r of rows) {
          await tx.query(upsert, [r.namespace, r.app, r.tag, r.res, r.t, r.requests, r.errors, ...r.counts]);
        }
      });
    },

    async queryMetrics(namespace, app, res, from) {
      const rows = await db.query<Record<string, number | string>>(
        `SELECT tag, t, requests, errors, ${LATENCY_COLUMNS.join(', ')} FROM metric_points
         WHERE namespace = $1 AND app = $2 AND res = $3 AND t >= $4 ORDER BY t`,
        [namespace, app, res, from],
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
          counts: LATENCY_COLUMNS.map((c) => Number(row[c])),
        }),
      );
    },

    async prune(now) {
      await db.query("DELETE FROM metric_points WHERE res = 's' AND t < $1", [now - HOUR]);
      await db.query("DELETE FROM metric_points WHERE res = 'm' AND t < $1", [now - WEEK]);
      // A watcher that was away longer than this gets a fresh snapshot instead of the changes.
      await db.query('DELETE FROM changes WHERE at < $1', [now - HOUR]);
    },
  };
}
