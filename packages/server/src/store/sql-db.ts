/**
 * The little SQL surface the store needs, implemented once for SQLite and once
 * for PostgreSQL. Statements are written in PostgreSQL style (`$1` placeholders);
 * the SQLite side rewrites them, so the store's logic is shared by both.
 */
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface SqlDb extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for the startup line: a file path or `host:port/database`. */
  readonly location: string;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
