import type { SqlDb, SqlExecutor } from './sql-db.js';
import type { AuditEntry, NamespaceChange, StoredChange } from './store.js';

/** What a mutation can do inside its transaction. */
export interface ChangeContext {
  tx: SqlExecutor;
  now: number;
  /** Takes the namespace's next version, builds the change with it and records it. */
  append<C extends StoredChange>(namespace: string, make: (version: number) => C): Promise<C>;
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
}

/** Runs after the versions are written, inside the transaction (PostgreSQL NOTIFY is sent on commit). */
export type Notifier = (tx: SqlExecutor, namespace: string, version: number) => Promise<void>;

/**
 * One transaction that locks the namespaces it touches (in name order, so two
 * transactions never wait on each other in a circle), lets `fn` append changes,
 * then stores the new versions. Locking the namespace row is what makes two
 * concurrent applies serialise instead of losing one of them.
 */
export async function withChanges<T>(
  db: SqlDb,
  notifier: Notifier | undefined,
  namespaces: readonly string[],
  fn: (ctx: ChangeContext) => Promise<T>,
): Promise<{ value: T; changes: NamespaceChange[] }> {
  return db.transaction(async (tx) => {
    // A namespace that does not exist yet is created by its first change, not by
    // a read or a delete that finds nothing (so typos do not leave namespaces behind).
    const versions = new Map<string, number | null>();
    const lock = async (name: string) => {
      const rows = await tx.query<{ version: number }>(
        'SELECT version FROM namespaces WHERE name = $1 FOR UPDATE',
        [name],
      );
      versions.set(name, rows[0]?.version ?? null);
    };
    for (const name of [...new Set(namespaces)].sort()) await lock(name);
    const changes: NamespaceChange[] = [];
    const now = Date.now();
    const ctx: ChangeContext = {
      tx,
      now,
      append: async (namespace, make) => {
        if (!versions.has(namespace))
          throw new Error(`namespace ${namespace} was not locked for this change`);
        if (versions.get(namespace) === null) {
          await tx.query(
            'INSERT INTO namespaces (name, version) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING',
            [namespace],
          );
          await lock(namespace);
        }
        const current = versions.get(namespace)!;
        const change = make(current + 1);
        versions.set(namespace, change.version);
        await tx.query('INSERT INTO changes (namespace, version, at, body) VALUES ($1, $2, $3, $4)', [
          namespace,
          change.version,
          now,
          JSON.stringify(change),
        ]);
        changes.push({ namespace, change });
        return change;
      },
      audit: async (e) => {
        await tx.query(
          `INSERT INTO audit (at, actor, action, kind, namespace, name, before, after)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            now,
            e.actor,
            e.action,
            e.kind,
            e.namespace,
            e.name,
            e.before == null ? null : JSON.stringify(e.before),
            e.after == null ? null : JSON.stringify(e.after),
          ],
        );
      },
    };
    const value = await fn(ctx);
    const touched = new Set(changes.map((c) => c.namespace));
    for (const namespace of touched) {
      const version = versions.get(namespace)!;
      await tx.query('UPDATE namespaces SET version = $2 WHERE name = $1', [namespace, version]);
      await notifier?.(tx, namespace, version);
    }
    return { value, changes };
  });
}
