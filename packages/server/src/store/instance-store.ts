import type { Instance } from '@graylane/core';
import { type ChangeContext, type Notifier, withChanges } from './change-log.js';
import type { SqlDb } from './sql-db.js';
import type { NamespaceChange, Store } from './store.js';

type InstanceRow = { id: string; app: string; body: string; last_heartbeat: number; owner: string | null };

function instanceOf(row: InstanceRow): Instance {
  return { ...(JSON.parse(row.body) as Omit<Instance, 'lastHeartbeat'>), lastHeartbeat: row.last_heartbeat };
}

function bodyOf(instance: Instance): string {
  const { lastHeartbeat: _, ...rest } = instance;
  return JSON.stringify(rest);
}

async function removed(
  ctx: ChangeContext,
  namespace: string,
  row: InstanceRow,
  actor: string,
  action: string,
) {
  await ctx.append(namespace, (version) => ({ version, type: 'instance-delete', app: row.app, id: row.id }));
  await ctx.audit({
    actor,
    action,
    kind: 'Instance',
    namespace,
    name: row.id,
    before: instanceOf(row),
    after: null,
  });
}

export function createInstanceStore(
  db: SqlDb,
  notifier: Notifier | undefined,
): Pick<
  Store,
  'putInstance' | 'getInstance' | 'instanceOwner' | 'deleteInstance' | 'touchInstances' | 'expireInstances'
> {
  const select =
    'SELECT id, app, body, last_heartbeat, owner FROM instances WHERE namespace = $1 AND id = $2';
  return {
    async putInstance(instance, actor, owner, guard) {
      const { namespace, id } = instance;
      const { changes } = await withChanges(db, notifier, [namespace], async (ctx) => {
        const [stored] = await ctx.tx.query<InstanceRow>(`${select} FOR UPDATE`, [namespace, id]);
        guard?.(stored && { app: stored.app, owner: stored.owner });
        // The same id re-registering under another app leaves the old app's list first.
        if (stored && stored.app !== instance.app) {
          await ctx.append(namespace, (version) => ({
            version,
            type: 'instance-delete',
            app: stored.app,
            id,
          }));
        }
        await ctx.tx.query(
          `INSERT INTO instances (namespace, id, app, body, last_heartbeat, owner) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (namespace, id) DO UPDATE
           SET app = excluded.app, body = excluded.body, last_heartbeat = excluded.last_heartbeat,
               owner = COALESCE(excluded.owner, instances.owner)`,
          [namespace, id, instance.app, bodyOf(instance), instance.lastHeartbeat, owner ?? null],
        );
        await ctx.tx.query(
          'INSERT INTO apps (namespace, name, first_seen) VALUES ($1, $2, $3) ON CONFLICT (namespace, name) DO NOTHING',
          [namespace, instance.app, ctx.now],
        );
        await ctx.append(namespace, (version) => ({ version, type: 'instance-put', instance }));
        await ctx.audit({
          actor,
          action: stored ? 'update' : 'register',
          kind: 'Instance',
          namespace,
          name: id,
          before: stored ? instanceOf(stored) : null,
          after: instance,
        });
      });
      return changes.at(-1)!;
    },

    async getInstance(namespace, id) {
      const [row] = await db.query<InstanceRow>(select, [namespace, id]);
      return row && instanceOf(row);
    },

    async instanceOwner(namespace, id) {
      const [row] = await db.query<InstanceRow>(select, [namespace, id]);
      return row === undefined ? undefined : row.owner;
    },

    async deleteInstance(namespace, id, actor, guard) {
      const { changes } = await withChanges(db, notifier, [namespace], async (ctx) => {
        const [stored] = await ctx.tx.query<InstanceRow>(`${select} FOR UPDATE`, [namespace, id]);
        if (!stored) return;
        guard?.({ app: stored.app, owner: stored.owner });
        await ctx.tx.query('DELETE FROM instances WHERE namespace = $1 AND id = $2', [namespace, id]);
        await removed(ctx, namespace, stored, actor, 'deregister');
      });
      return changes[0] as NamespaceChange | undefined;
    },

    async touchInstances(beats) {
      if (beats.length === 0) return;
      if (db.dialect === 'postgres') {
        // One statement for the whole batch; sorted so two replicas lock rows in the same order.
        const sorted = [...beats].sort((a, b) => (a.namespace + a.id < b.namespace + b.id ? -1 : 1));
        await db.query(
          `UPDATE instances AS i SET last_heartbeat = GREATEST(i.last_heartbeat, b.at)
           FROM unnest($1::text[], $2::text[], $3::bigint[]) AS b(namespace, id, at)
           WHERE i.namespace = b.namespace AND i.id = b.id`,
          [sorted.map((b) => b.namespace), sorted.map((b) => b.id), sorted.map((b) => b.at)],
        );
        return;
      }
      await db.transaction(async (tx) => {
        for (const b of beats) {
          await tx.query(
            'UPDATE instances SET last_heartbeat = max(last_heartbeat, $3) WHERE namespace = $1 AND id = $2',
            [b.namespace, b.id, b.at],
          );
        }
      });
    },

    async expireInstances(cutoff) {
      const stale = await db.query<{ namespace: string }>(
        'SELECT DISTINCT namespace FROM instances WHERE last_heartbeat < $1',
        [cutoff],
      );
      const all: NamespaceChange[] = [];
      for (const { namespace } of stale) {
        const { changes } = await withChanges(db, notifier, [namespace], async (ctx) => {
          const rows = await ctx.tx.query<InstanceRow>(
            `DELETE FROM instances WHERE namespace = $1 AND last_heartbeat < $2
             RETURNING id, app, body, last_heartbeat, owner`,
            [namespace, cutoff],
          );
          for (const row of rows) await removed(ctx, namespace, row, 'system', 'expire');
        });
        all.push(...changes);
      }
      return all;
    },
  };
}
