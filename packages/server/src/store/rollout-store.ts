import type { RolloutStatus } from '@graylane/core';
import { type Notifier, withChanges } from './change-log.js';
import type { SqlDb } from './sql-db.js';
import type { NamespaceChange, Store } from './store.js';

/**
 * Rollout status lives beside the Rollout document, not in it: the controller
 * updates it often, and a person re-applying the same spec must neither
 * conflict with those updates nor wipe them.
 */
export function createRolloutStore(
  db: SqlDb,
  notifier: Notifier | undefined,
): Pick<Store, 'putRolloutStatus' | 'getRolloutStatus' | 'acquireLease' | 'releaseLease'> {
  return {
    async putRolloutStatus(namespace, name, status, options) {
      const { value, changes } = await withChanges(db, notifier, [namespace], async (ctx) => {
        if (options.lease) {
          const [lease] = await ctx.tx.query<{ holder: string; expires_at: number }>(
            'SELECT holder, expires_at FROM leases WHERE name = $1 FOR UPDATE',
            [options.lease.name],
          );
          if (!lease || lease.holder !== options.lease.holder || Number(lease.expires_at) < ctx.now)
            return false;
        }
        if (options.expect !== undefined) {
          const [row] = await ctx.tx.query<{ body: string }>(
            'SELECT body FROM rollout_status WHERE namespace = $1 AND name = $2 FOR UPDATE',
            [namespace, name],
          );
          const current = row ? (JSON.parse(row.body) as RolloutStatus).updatedAt : null;
          if (current !== options.expect) return false;
        }
        if (status === null) {
          await ctx.tx.query('DELETE FROM rollout_status WHERE namespace = $1 AND name = $2', [
            namespace,
            name,
          ]);
        } else {
          await ctx.tx.query(
            `INSERT INTO rollout_status (namespace, name, body) VALUES ($1, $2, $3)
             ON CONFLICT (namespace, name) DO UPDATE SET body = excluded.body`,
            [namespace, name, JSON.stringify(status)],
          );
        }
        await ctx.append(namespace, (version) => ({
          version,
          type: 'rollout-status' as const,
          name,
          status,
        }));
        if (options.audit) {
          await ctx.audit({ ...options.audit, kind: 'Rollout', namespace, name });
        }
        return true;
      });
      return value ? (changes[0] as NamespaceChange) : undefined;
    },

    async getRolloutStatus(namespace, name) {
      const [row] = await db.query<{ body: string }>(
        'SELECT body FROM rollout_status WHERE namespace = $1 AND name = $2',
        [namespace, name],
      );
      return row ? (JSON.parse(row.body) as RolloutStatus) : undefined;
    },

    async acquireLease(name, holder, now, ttlMs) {
      return db.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING',
          [name, ''],
        );
        const [lease] = await tx.query<{ holder: string; expires_at: number }>(
          'SELECT holder, expires_at FROM leases WHERE name = $1 FOR UPDATE',
          [name],
        );
        if (lease && lease.holder !== holder && Number(lease.expires_at) >= now) return false;
        await tx.query('UPDATE leases SET holder = $2, expires_at = $3 WHERE name = $1', [
          name,
          holder,
          now + ttlMs,
        ]);
        return true;
      });
    },

    async releaseLease(name, holder) {
      await db.query('UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2', [name, holder]);
    },
  };
}
