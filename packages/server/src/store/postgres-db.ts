import pg from 'pg';
import type { Row, SqlDb, SqlExecutor } from './sql-db.js';
import { storeError } from './store-error.js';

// bigint columns hold epoch milliseconds and versions, all far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? Number
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

// Deadlock and serialization failures are retried: they say "try again", not "you are wrong".
const retryable = new Set(['40P01', '40001']);

export interface PostgresDb extends SqlDb {
  /** A dedicated connection for LISTEN; reconnects are the caller's business. */
  connectListener(): Promise<pg.Client>;
  readonly connectionString: string;
}

export function createPostgresDb(connectionString: string): PostgresDb {
  const pool = new pg.Pool({ connectionString, max: 10, types, connectionTimeoutMillis: 5000 });
  const url = new URL(connectionString);
  const location = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  // An idle client that loses its connection emits here; without a listener the process would exit.
  pool.on('error', () => undefined);

  const fail = (error: unknown) => storeError(error, location);

  async function query<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      return (await pool.query(sql, params as unknown[])).rows as T[];
    } catch (error) {
      throw fail(error);
    }
  }

  async function transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, attempt = 1): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(error);
    }
    const tx: SqlExecutor = {
      query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
        (await client.query(sql, params as unknown[])).rows as R[],
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      const code = (error as { code?: string }).code;
      if (code !== undefined && retryable.has(code) && attempt < 5) return transaction(fn, attempt + 1);
      throw fail(error);
    }
  }

  return {
    dialect: 'postgres',
    location,
    connectionString,
    query,
    transaction,
    close: () => pool.end(),
    connectListener: async () => {
      const client = new pg.Client({ connectionString, types });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
  };
}
