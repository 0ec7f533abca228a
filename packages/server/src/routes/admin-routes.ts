import { GraylaneError, nameSchema } from '@graylane/core';
import { z } from 'zod';
import { assertActsFor } from '../auth/agent-scope.js';
import { parseJson, readBody, validate } from '../http/read-body.js';
import type { createRouter } from '../http/router.js';
import { metricsBodySchema, type TrendWindow, trendWindows } from '../metrics/metrics-schemas.js';
import type { ServerContext } from '../server-context.js';
import { intParam, namespaceParam } from './params.js';

const tokenBodySchema = z
  .strictObject({
    name: nameSchema,
    role: z.enum(['admin', 'viewer', 'agent']),
    /** Only for agent tokens: the apps it may register, beat, deregister and report metrics for. */
    apps: z.array(nameSchema).min(1).max(1000).optional(),
    /** When the token stops working: an ISO 8601 time or milliseconds since the epoch. */
    expiresAt: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  })
  .refine((b) => b.apps === undefined || b.role === 'agent', {
    message: 'apps limits an agent token; admin and viewer tokens are not per app',
    path: ['apps'],
  });

function expiry(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = typeof value === 'number' ? value : Date.parse(value);
  if (at <= Date.now()) {
    throw new GraylaneError('GL_BAD_REQUEST', `expiresAt ${new Date(at).toISOString()} is in the past`, {
      issues: [{ document: 'request body', path: 'expiresAt', message: 'must be in the future' }],
    });
  }
  return at;
}

/** Namespaces, tokens, audit and metrics. */
export function adminRoutes(router: ReturnType<typeof createRouter>, app: ServerContext): void {
  router.add('GET', '/v1/namespaces', 'read', async () => {
    const items = await app.store.listNamespaces();
    if (!items.some((n) => n.name === 'default')) items.unshift({ name: 'default', version: 0 });
    return { status: 200, body: { items } };
  });

  router.add('POST', '/v1/tokens', 'write', async (ctx) => {
    const body = validate(tokenBodySchema, parseJson(await readBody(ctx.req, app.bodyLimit)));
    const expiresAt = expiry(body.expiresAt);
    const apps = body.apps === undefined ? undefined : [...new Set(body.apps)].sort();
    const token = await app.auth.issue(body.name, body.role, ctx.principal.name, {
      ...(apps === undefined ? {} : { apps }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    return {
      status: 201,
      body: {
        name: body.name,
        role: body.role,
        ...(apps === undefined ? {} : { apps }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
        token,
      },
    };
  });

  router.add('GET', '/v1/tokens', 'write', async () => ({
    status: 200,
    body: { items: await app.store.listTokens() },
  }));

  router.add('DELETE', '/v1/tokens/{name}', 'write', async (ctx) => {
    if (!(await app.auth.revoke(ctx.params.name!, ctx.principal.name))) {
      throw new GraylaneError(
        'GL_NOT_FOUND',
        `no token named "${ctx.params.name}": list them with GET /v1/tokens`,
      );
    }
    return { status: 204 };
  });

  router.add('GET', '/v1/audit', 'read', async (ctx) => {
    const namespace = ctx.query.get('namespace') || undefined;
    const limit = intParam(ctx.query, 'limit', 100, 1000)!;
    return { status: 200, body: { items: await app.store.listAudit({ namespace, limit }) } };
  });

  router.add('POST', '/v1/namespaces/{ns}/metrics', 'agent', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const body = validate(metricsBodySchema, parseJson(await readBody(ctx.req, app.bodyLimit)));
    assertActsFor(ctx.principal, body.app);
    app.metrics.record(ns, body);
    return { status: 204 };
  });

  router.add('GET', '/v1/namespaces/{ns}/apps/{app}/metrics', 'read', async (ctx) => {
    const window = ctx.query.get('window') ?? '5m';
    if (!(window in trendWindows)) {
      throw new GraylaneError(
        'GL_BAD_REQUEST',
        `window=${window} is not supported: use ${Object.keys(trendWindows).join(', ')}`,
      );
    }
    const trend = await app.metrics.trend(namespaceParam(ctx.params), ctx.params.app!, window as TrendWindow);
    return { status: 200, body: trend };
  });

  router.add('GET', '/v1/namespaces/{ns}/lane-map', 'read', async (ctx) => {
    const windowSeconds = Math.max(1, intParam(ctx.query, 'windowSeconds', 30, 3600)!);
    return { status: 200, body: await app.metrics.laneMap(namespaceParam(ctx.params), windowSeconds * 1000) };
  });

  router.add('GET', '/v1/namespaces/{ns}/message-rates', 'read', async (ctx) => {
    const windowSeconds = Math.max(1, intParam(ctx.query, 'windowSeconds', 30, 3600)!);
    return {
      status: 200,
      body: await app.metrics.messageRates(namespaceParam(ctx.params), windowSeconds * 1000),
    };
  });
}
