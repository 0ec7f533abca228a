import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Row, SqlDb, SqlExecutor } from './sql-db.js';
import { storeError } from './store-error.js';

/** `$1`-style statement → SQLite `?` statement plus the parameters in order of use. */
function translate(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const text = sql
    .replace(/\$(\d+)/g, (_, n: string) => {
      ordered.push(params[Number(n) - 1]);
      return '?';
    })
    .replace(/\s+FOR UPDATE/g, '');
  return { sql: text, params: ordered };
}

/**
 * better-sqlite3 is synchronous, but the store's logic is async (shared with
 * PostgreSQL). While a transaction awaits between statements, other requests
 * must not slip their statements into it, so they wait for it to finish.
 */
export function createSqliteDb(dataDir: string): SqlDb {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'graylane.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, { stmt: Database.Statement; reader: boolean }>();
  let tail: Promise<unknown> = Promise.resolve();
  let inTransaction = false;

  function run<T extends Row>(sql: string, params: readonly unknown[] = []): T[] {
    const t = translate(sql, params);
    let entry = statements.get(t.sql);
    if (entry === undefined) {
      const stmt = db.prepare(t.sql);
      entry = { stmt, reader: stmt.reader };
      statements.set(t.sql, entry);
    }
    try {
      if (entry.reader) return entry.stmt.all(...t.params) as T[];
      entry.stmt.run(...t.params);
      return [];
    } catch (error) {
      throw storeError(error, file);
    }
  }

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  }

  const tx: SqlExecutor = { query: async (sql, params) => run(sql, params) };

  return {
    dialect: 'sqlite',
    location: file,
    query: (sql, params) => {
      if (inTransaction) return exclusive(async () => run(sql, params));
      try {
        return Promise.resolve(run(sql, params));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    transaction: (fn) =>
      exclusive(async () => {
        db.exec('BEGIN IMMEDIATE');
        inTransaction = true;
        try {
          const result = await fn(tx);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        } finally {
          inTransaction = false;
        }
      }),
    close: async () => {
      await tail;
      db.close();
    },
  };
}
