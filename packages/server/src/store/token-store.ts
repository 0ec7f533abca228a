import { GraylaneError } from '@graylane/core';
import { type Notifier, withChanges } from './change-log.js';
import type { SqlDb } from './sql-db.js';
import type { Role, Store, TokenRecord } from './store.js';

type TokenRow = {
  name: string;
  role: Role;
  created_at: number;
  apps: string | null;
  expires_at: number | null;
};

const columns = 'name, role, created_at, apps, expires_at';

const record = (row: TokenRow): TokenRecord => ({
  name: row.name,
  role: row.role,
  createdAt: Number(row.created_at),
  ...(row.apps === null ? {} : { apps: JSON.parse(row.apps) as string[] }),
  ...(row.expires_at === null ? {} : { expiresAt: Number(row.expires_at) }),
});

/** What the audit log keeps of a token: everything but its hash. */
const audited = (token: TokenRecord) => {
  const { createdAt: _, ...rest } = token;
  return rest;
};

/** Only the hash of a token is kept; the token itself is shown once, when it is created. */
export function createTokenStore(
  db: SqlDb,
  notifier: Notifier | undefined,
): Pick<Store, 'findToken' | 'listTokens' | 'countTokens' | 'createToken' | 'deleteToken'> {
  return {
    async findToken(hash) {
      const [row] = await db.query<TokenRow>(`SELECT ${columns} FROM tokens WHERE hash = $1`, [hash]);
      return row && record(row);
    },
    async listTokens() {
      const rows = await db.query<TokenRow>(`SELECT ${columns} FROM tokens ORDER BY name`);
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
        await ctx.tx.query(
          'INSERT INTO tokens (name, role, hash, created_at, apps, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            token.name,
            token.role,
            hash,
            token.createdAt,
            token.apps === undefined ? null : JSON.stringify(token.apps),
            token.expiresAt ?? null,
          ],
        );
        await ctx.audit({
          actor,
          action: 'create',
          kind: 'Token',
          namespace: null,
          name: token.name,
          before: null,
          after: audited(token),
        });
      });
    },
    async deleteToken(name, actor, allowLastAdmin = false) {
      const { value } = await withChanges(db, notifier, [], async (ctx) => {
        // Every admin row is locked, so two replicas cannot each delete one of the last two.
        const admins = await ctx.tx.query<TokenRow>(
          `SELECT ${columns} FROM tokens WHERE role = 'admin' ORDER BY name FOR UPDATE`,
        );
        const [row] = await ctx.tx.query<TokenRow>(`SELECT ${columns} FROM tokens WHERE name = $1`, [name]);
        if (!row) return false;
        const usable = admins.filter((a) => a.expires_at === null || Number(a.expires_at) > ctx.now);
        if (!allowLastAdmin && row.role === 'admin' && usable.every((a) => a.name === name)) {
          throw new GraylaneError(
            'GL_CONFLICT',
            `token "${name}" is the last admin token: create another admin token first, or nobody could administer the control plane`,
          );
        }
        await ctx.tx.query('DELETE FROM tokens WHERE name = $1', [name]);
        await ctx.audit({
          actor,
          action: 'delete',
          kind: 'Token',
          namespace: null,
          name,
          before: audited(record(row)),
          after: null,
        });
        return true;
      });
      return value;
    },
  };
}
