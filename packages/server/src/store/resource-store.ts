import { GraylaneError, type Resource, type ResourceKind } from '@graylane/core';
import { canonicalJson } from './canonical-json.js';
import { type Notifier, withChanges } from './change-log.js';
import type { SqlDb } from './sql-db.js';
import type { ApplyResult, NamespaceChange, Store } from './store.js';

type ResourceRow = { body: string; version: number };

/** The stored body never holds the version: it is a column, set on the way out. */
function bodyOf(resource: Resource): string {
  const { resourceVersion: _, ...metadata } = resource.metadata;
  return canonicalJson({ ...resource, metadata });
}

export function withVersion(body: string, version: number): Resource {
  const resource = JSON.parse(body) as Resource;
  resource.metadata.resourceVersion = String(version);
  return resource;
}

function conflict(resource: Resource, sent: string, stored: ResourceRow | undefined): GraylaneError {
  const id = `${resource.kind}/${resource.metadata.name} in namespace ${resource.metadata.namespace}`;
  const now = stored ? `it is now ${stored.version}` : 'it no longer exists';
  return new GraylaneError(
    'GL_CONFLICT',
    `${id} changed since you read it (you sent resourceVersion ${sent}, ${now}): ` +
      'get it again and re-apply your edit, or remove metadata.resourceVersion to overwrite it',
    {
      issues: [
        {
          document: `${resource.kind}/${resource.metadata.name}`,
          path: 'metadata.resourceVersion',
          message: now,
        },
      ],
    },
  );
}

export function createResourceStore(
  db: SqlDb,
  notifier: Notifier | undefined,
): Pick<Store, 'getResource' | 'listResources' | 'applyResources' | 'deleteResource'> {
  const select = 'SELECT body, version FROM resources WHERE namespace = $1 AND kind = $2 AND name = $3';
  return {
    async getResource(namespace, kind, name) {
      const [row] = await db.query<ResourceRow>(select, [namespace, kind, name]);
      return row && withVersion(row.body, row.version);
    },

    async listResources(namespace, kind) {
      const rows = await db.query<ResourceRow>(
        'SELECT body, version FROM resources WHERE namespace = $1 AND kind = $2 ORDER BY name',
        [namespace, kind],
      );
      return rows.map((r) => withVersion(r.body, r.version));
    },

    async applyResources(resources, actor, dryRun) {
      const namespaces = resources.map((r) => r.metadata.namespace);
      const { value, changes } = await withChanges(db, notifier, namespaces, async (ctx) => {
        const results: ApplyResult[] = [];
        for (const resource of resources) {
          const { namespace, name } = resource.metadata;
          const kind = resource.kind;
          const [stored] = await ctx.tx.query<ResourceRow>(`${select} FOR UPDATE`, [namespace, kind, name]);
          const sent = resource.metadata.resourceVersion;
          if (sent !== undefined && sent !== (stored ? String(stored.version) : undefined)) {
            throw conflict(resource, sent, stored);
          }
          const body = bodyOf(resource);
          const base = { kind, name, namespace };
          if (stored?.body === body) {
            results.push({ ...base, action: 'unchanged', resourceVersion: String(stored.version) });
            continue;
          }
          const action = stored ? 'configured' : 'created';
          if (dryRun) {
            results.push({ ...base, action, resourceVersion: stored ? String(stored.version) : '' });
            continue;
          }
          const change = await ctx.append(namespace, (version) => ({
            version,
            type: 'put' as const,
            resource: withVersion(body, version),
          }));
          await ctx.tx.query(
            `INSERT INTO resources (namespace, kind, name, body, version) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (namespace, kind, name) DO UPDATE SET body = excluded.body, version = excluded.version`,
            [namespace, kind, name, body, change.version],
          );
          await ctx.audit({
            actor,
            action: stored ? 'update' : 'create',
            kind,
            namespace,
            name,
            before: stored ? withVersion(stored.body, stored.version) : null,
            after: change.resource,
          });
          results.push({ ...base, action, resourceVersion: String(change.version) });
        }
        return results;
      });
      return { results: value, changes };
    },

    async deleteResource(namespace: string, kind: ResourceKind, name: string, actor: string) {
      const { changes } = await withChanges(db, notifier, [namespace], async (ctx) => {
        const [stored] = await ctx.tx.query<ResourceRow>(`${select} FOR UPDATE`, [namespace, kind, name]);
        if (!stored) return;
        await ctx.tx.query('DELETE FROM resources WHERE namespace = $1 AND kind = $2 AND name = $3', [
          namespace,
          kind,
          name,
        ]);
        await ctx.append(namespace, (version) => ({ version, type: 'delete' as const, kind, name }));
        if (kind === 'Rollout') {
          await ctx.tx.query('DELETE FROM rollout_status WHERE namespace = $1 AND name = $2', [
            namespace,
            name,
          ]);
        }
        await ctx.audit({
          actor,
          action: 'delete',
          kind,
          namespace,
          name,
          before: withVersion(stored.body, stored.version),
          after: null,
        });
      });
      return changes[0] as NamespaceChange | undefined;
    },
  };
}
