import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraylaneError } from '@graylane/core';
import type { Role, Store, TokenRecord } from '../store/store.js';

/** What a route needs: `read` (admin, viewer), `write` (admin), `agent` (admin, agent), `watch` (all roles). */
export type Access = 'public' | 'read' | 'write' | 'agent' | 'watch';

const allowed: Record<Exclude<Access, 'public'>, readonly Role[]> = {
  read: ['admin', 'viewer'],
  write: ['admin'],
  agent: ['admin', 'agent'],
  watch: ['admin', 'viewer', 'agent'],
};

export interface Principal {
  name: string;
  role: Role;
  /** An agent token with apps acts only for those apps. */
  apps?: string[];
  expiresAt?: number;
}

export type TokenLimits = Pick<TokenRecord, 'apps' | 'expiresAt'>;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => `gl_${randomBytes(24).toString('base64url')}`;

/** Tokens looked up recently are trusted for this long, so heartbeats do not each query the store. */
const CACHE_MS = 5000;

export interface Auth {
  authenticate(req: IncomingMessage, access: Access): Promise<Principal>;
  /** Creates a token and returns it; only its hash is stored. */
  issue(name: string, role: Role, actor: string, limits?: TokenLimits): Promise<string>;
  revoke(name: string, actor: string): Promise<boolean>;
  /**
   * Makes sure an admin can log in: seeds `adminToken` when given, otherwise
   * creates one when the store has no token at all. Returns a generated token.
   */
  bootstrap(adminToken: string | undefined): Promise<string | undefined>;
}

export function createAuth(store: Store, insecureNoAuth: boolean): Auth {
  const cache = new Map<string, { principal: Principal; until: number }>();
  const anonymous: Principal = { name: 'anonymous', role: 'admin' };

  async function lookup(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    const record = await store.findToken(hash);
    if (!record) {
      cache.delete(hash);
      return undefined;
    }
    const principal: Principal = {
      name: record.name,
      role: record.role,
      ...(record.apps === undefined ? {} : { apps: record.apps }),
      ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
    };
    if (cache.size > 100_000) cache.clear();
    cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  const auth: Auth = {
    async authenticate(req, access) {
      if (access === 'public') return anonymous;
      if (insecureNoAuth) return anonymous;
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        throw new GraylaneError(
          'GL_UNAUTHENTICATED',
          'this endpoint needs a token: send "Authorization: Bearer <token>" (graylane --token or GRAYLANE_TOKEN)',
        );
      }
      const principal = await lookup(match[1]!);
      if (!principal) {
        throw new GraylaneError(
          'GL_UNAUTHENTICATED',
          'the token is not known (revoked or mistyped): ask an admin for a token',
        );
      }
      if (principal.expiresAt !== undefined && principal.expiresAt <= Date.now()) {
        throw new GraylaneError(
          'GL_UNAUTHENTICATED',
          `token "${principal.name}" expired at ${new Date(principal.expiresAt).toISOString()}: ask an admin for a new one`,
        );
      }
      if (!allowed[access].includes(principal.role)) {
        throw new GraylaneError(
          'GL_FORBIDDEN',
          `token "${principal.name}" has role ${principal.role}; this needs ${allowed[access].join(' or ')}`,
        );
      }
      return principal;
    },

    async issue(name, role, actor, limits = {}) {
      const token = newToken();
      await store.createToken({ name, role, createdAt: Date.now(), ...limits }, hashToken(token), actor);
      return token;
    },

    async revoke(name, actor) {
      cache.clear();
      return store.deleteToken(name, actor);
    },

    async bootstrap(adminToken) {
      if (adminToken !== undefined) {
        if (await store.findToken(hashToken(adminToken))) return undefined;
        // Replaced at once by the seeded one, so the "last admin" rule does not apply.
        await store.deleteToken('admin', 'system', true);
        const record = { name: 'admin', role: 'admin' as const, createdAt: Date.now() };
        // Another replica starting at the same moment may win the race; its token is the same one.
        await store.createToken(record, hashToken(adminToken), 'system').catch(async (error) => {
          if (!(await store.findToken(hashToken(adminToken)))) throw error;
        });
        return undefined;
      }
      if ((await store.countTokens()) > 0) return undefined;
      return auth.issue('admin', 'admin', 'system').catch(async (error) => {
        if ((await store.countTokens()) > 0) return undefined; // another replica created the first admin token
        throw error;
      });
    },
  };
  return auth;
}
