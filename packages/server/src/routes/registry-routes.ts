import { GraylaneError, type Instance } from '@graylane/core';
import { parseJson, readBody, validate } from '../http/read-body.js';
import type { createRouter } from '../http/router.js';
import {
  heartbeatBodySchema,
  laneLeaksBodySchema,
  registerBodySchema,
} from '../registry/registry-schemas.js';
import type { ServerContext } from '../server-context.js';
import { namespaceParam } from './params.js';

function countByTag(instances: Iterable<Instance>, app: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of instances) if (i.app === app) counts[i.tag] = (counts[i.tag] ?? 0) + 1;
  return counts;
}

export function registryRoutes(router: ReturnType<typeof createRouter>, app: ServerContext): void {
  const base = '/v1/namespaces/{ns}/instances';

  router.add('POST', base, 'agent', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const body = validate(registerBodySchema, parseJson(await readBody(ctx.req, app.bodyLimit)));
    const instance = await app.registry.register(ns, body, ctx.principal);
    return { status: 201, body: { instance, ttlMs: app.registry.ttlMs } };
  });

  router.add('PUT', `${base}/{id}/heartbeat`, 'agent', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const raw = parseJson(await readBody(ctx.req, app.bodyLimit));
    const body = raw === undefined ? undefined : validate(heartbeatBodySchema, raw);
    await app.registry.heartbeat(ns, ctx.params.id!, body, ctx.principal);
    return { status: 204 };
  });

  // Lane leaks an instance saw since its last report (see docs/agent.md).
  router.add('POST', '/v1/namespaces/{ns}/lane-leaks', 'agent', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const body = validate(laneLeaksBodySchema, parseJson(await readBody(ctx.req, app.bodyLimit)));
    app.laneLeaks.add(ns, body.app, body.tag, body.count);
    return { status: 204 };
  });

  router.add('DELETE', `${base}/{id}`, 'agent', async (ctx) => {
    await app.registry.deregister(namespaceParam(ctx.params), ctx.params.id!, ctx.principal);
    return { status: 204 };
  });

  router.add('GET', base, 'watch', async (ctx) => {
    const state = await app.hub.space(namespaceParam(ctx.params));
    const only = ctx.query.get('app');
    const items = [...state.instances.values()].filter((i) => !only || i.app === only);
    return { status: 200, body: { items } };
  });

  router.add('GET', '/v1/namespaces/{ns}/apps', 'read', async (ctx) => {
    const state = await app.hub.space(namespaceParam(ctx.params));
    const items = [...state.apps]
      .sort()
      .map((name) => ({ name, instances: countByTag(state.instances.values(), name) }));
    return { status: 200, body: { items } };
  });

  router.add('GET', '/v1/namespaces/{ns}/apps/{app}', 'read', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const state = await app.hub.space(ns);
    const name = ctx.params.app!;
    if (!state.apps.has(name)) {
      throw new GraylaneError(
        'GL_NOT_FOUND',
        `app "${name}" is not known in namespace ${ns}: an app appears when its first instance registers`,
      );
    }
    const items = [...state.instances.values()].filter((i) => i.app === name);
    return {
      status: 200,
      body: { name, instances: countByTag(items, name), items, laneLeaks: app.laneLeaks.ofApp(ns, name) },
    };
  });
}
