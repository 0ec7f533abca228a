import { GraylaneError } from '@graylane/core';
import { type Notifier, withChanges } from './change-log.js';
import type { SqlDb } from './sql-db.js';
import type { Role, Store, TokenRecord } from './store.js';

type TokenRow = { name: string; role: Role; created_at: number };

const record = (row: TokenRow): TokenRecord => ({
  name: row.name,
  role: row.role,
  createdAt: row.created_at,
});

/** Only the hash of a token is kept; the token itself is shown once, when it is created. */
export function createTokenStore(
  db: SqlDb,
  notifier: Notifier | undefined,
): Pick<Store, 'findToken' | 'listTokens' | 'countTokens' | 'createToken' | 'deleteToken'> {
  return {
    async findToken(hash) {
      const [row] = await db.query<TokenRow>('SELECT name, role, created_at FROM tokens WHERE hash = $1', [
        hash,
      ]);
      return row && record(row);
    },
    async listTokens() {
      const rows = await db.query<TokenRow>('SELECT name, role, created_at FROM tokens ORDER BY name');
      return rows.map(record);
    },
    async countTokens() {
      const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM tokens');
      return Number(row?.n ?? 0);
    },
    async createToken(token, hash, actor) {
      await withChanges(db, notifier, [], async (ctx) => {
        const [taken] = await ctx.tx.query('SELECT name FROM tokens WHERE name = $1', [token.name]);
        if (taken) {
          throw new GraylaneError(
            'GL_CONFLICT',
            `a token named "${token.name}" exists: delete it first (DELETE /v1/tokens/${token.name}) or pick another name`,
          );
        }
        await ctx.tx.query('INSERT INTO tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4)', [
          token.name,
          token.role,
          hash,
          token.createdAt,
        ]);
        const after = { name: token.name, role: token.role };
        await ctx.audit({
          actor,
          action: 'create',
          kind: 'Token',
          namespace: null,
          name: token.name,
          before: null,
          after,
        });
      });
    },
    async deleteToken(name, actor) {
      const { value } = await withChanges(db, notifier, [], async (ctx) => {
        const rows = await ctx.tx.query<TokenRow>(
          'DELETE FROM tokens WHERE name = $1 RETURNING name, role, created_at',
          [name],
        );
        const row = rows[0];
        if (!row) return false;
        const before = { name: row.name, role: row.role };
        await ctx.audit({
          actor,
          action: 'delete',
          kind: 'Token',
          namespace: null,
          name,
          before,
          after: null,
        });
        return true;
      });
      return value;
    },
  };
}
