import {
  gatewayRouteSchema,
  laneSchema,
  messageGrayscaleSchema,
  rolloutActions,
  rolloutSchema,
} from '@graylane/core';
import { z } from 'zod';
import { metricsBodySchema } from './metrics/metrics-schemas.js';
import { heartbeatBodySchema, registerBodySchema } from './registry/registry-schemas.js';

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: unknown) => ({ content: { 'application/json': { schema: s } } });
const errors = { '4XX': { description: 'error', ...json(ref('Error')) } };

interface Op {
  summary: string;
  role: string;
  body?: unknown;
  ok?: number;
  response?: unknown;
}

function op(o: Op, params: string[]) {
  return {
    summary: o.summary,
    description: `Role: ${o.role}.`,
    parameters: params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(o.body ? { requestBody: { required: true, ...json(o.body) } } : {}),
    responses: {
      [String(o.ok ?? 200)]: { description: 'ok', ...(o.response ? json(o.response) : {}) },
      ...errors,
    },
  };
}

/** A Rollout as the API returns it: the document plus the controller's read-only `status`. */
function rolloutDocument(): Record<string, unknown> {
  const doc = schema(rolloutSchema) as { properties: Record<string, unknown> };
  const figures = {
    type: 'object',
    properties: {
      requests: { type: 'number' },
      errors: { type: 'number' },
      p99Seconds: { type: ['number', 'null'] },
    },
  };
  const verdict = { enum: ['Passed', 'Failed', 'Inconclusive'] };
  doc.properties.status = {
    type: 'object',
    readOnly: true,
    properties: {
      phase: { enum: ['Progressing', 'Paused', 'Completed', 'Aborted'] },
      step: { type: 'integer', description: 'index into spec.steps' },
      weight: { type: 'integer', description: 'the lane entry weight in effect' },
      message: { type: 'string' },
      observedVersion: { type: 'string' },
      startedAt: { type: 'integer' },
      stepStartedAt: { type: 'integer' },
      failedRuns: { type: 'integer' },
      runs: { type: 'integer' },
      analysis: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            run: { type: 'integer' },
            step: { type: 'integer' },
            weight: { type: 'integer' },
            from: { type: 'integer' },
            to: { type: 'integer' },
            verdict,
            figures: {
              type: 'array',
              items: {
                type: 'object',
                properties: { app: { type: 'string' }, tag: figures, baseline: figures },
              },
            },
            metrics: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  app: { type: 'string' },
                  verdict,
                  value: { type: ['number', 'null'] },
                  baseline: { type: ['number', 'null'] },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
  return doc;
}

/** The OpenAPI 3.1 document served at /openapi.json; schemas come from the same zod schemas that validate. */
export function openapiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (method: string, path: string, o: Op) => {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    paths[path] = { ...paths[path], [method]: op(o, params) };
  };
  const items = (s: unknown) => ({ type: 'object', properties: { items: { type: 'array', items: s } } });
  for (const [plural, kind] of [
    ['lanes', 'Lane'],
    ['messagegrayscales', 'MessageGrayscale'],
    ['gatewayroutes', 'GatewayRoute'],
    ['rollouts', 'Rollout'],
  ] as const) {
    const base = `/v1/namespaces/{ns}/${plural}`;
    add('get', base, { summary: `List ${kind}s`, role: 'admin, viewer', response: items(ref(kind)) });
    add('get', `${base}/{name}`, { summary: `Get a ${kind}`, role: 'admin, viewer', response: ref(kind) });
    add('put', `${base}/{name}`, {
      summary: `Create or replace a ${kind} (409 when metadata.resourceVersion is stale)`,
      role: 'admin',
      body: ref(kind),
      response: ref(kind),
    });
    add('delete', `${base}/{name}`, { summary: `Delete a ${kind}`, role: 'admin', ok: 204 });
  }
  for (const action of rolloutActions) {
    add('post', `/v1/namespaces/{ns}/rollouts/{name}/${action}`, {
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a Rollout (409 GL_ROLLOUT_STATE when its phase does not allow it)`,
      role: 'admin',
      response: ref('Rollout'),
    });
  }
  add('post', '/v1/apply', {
    summary: 'Validate then apply YAML or JSON documents (query dryRun=true to only validate)',
    role: 'admin',
    body: { type: 'string' },
    response: ref('ApplyResponse'),
  });
  add('get', '/v1/namespaces', { summary: 'List namespaces', role: 'admin, viewer' });
  add('get', '/v1/namespaces/{ns}/apps', {
    summary: 'Apps with instance counts by tag',
    role: 'admin, viewer',
  });
  add('get', '/v1/namespaces/{ns}/apps/{app}', {
    summary: 'One app with its instances and the lane leaks its instances reported, by their tag',
    role: 'admin, viewer',
  });
  add('get', '/v1/namespaces/{ns}/apps/{app}/metrics', {
    summary: 'QPS, error rate, latency and message trend by tag (query window=5m|1h|24h|7d)',
    role: 'admin, viewer',
  });
  add('get', '/v1/namespaces/{ns}/lane-map', {
    summary:
      'Caller → callee edges of every lane, with the tag reached, rate and errors (query windowSeconds=30)',
    role: 'admin, viewer',
  });
  add('get', '/v1/namespaces/{ns}/message-rates', {
    summary: 'Messages produced and consumed per second, by app and tag (query windowSeconds=30)',
    role: 'admin, viewer',
  });
  add('post', '/v1/namespaces/{ns}/instances', {
    summary: 'Register an instance (the same id replaces)',
    role: 'admin, agent',
    body: ref('RegisterBody'),
    ok: 201,
  });
  add('post', '/v1/namespaces/{ns}/lane-leaks', {
    summary: 'Report requests that reached an instance their lane should not reach ({app, tag, count})',
    role: 'admin, agent',
    ok: 204,
  });
  add('get', '/v1/namespaces/{ns}/instances', { summary: 'List instances (query app=)', role: 'any' });
  add('put', '/v1/namespaces/{ns}/instances/{id}/heartbeat', {
    summary: 'Heartbeat; 404 GL_INSTANCE_UNKNOWN means register again',
    role: 'admin, agent',
    body: ref('HeartbeatBody'),
    ok: 204,
  });
  add('delete', '/v1/namespaces/{ns}/instances/{id}', {
    summary: 'Deregister',
    role: 'admin, agent',
    ok: 204,
  });
  add('get', '/v1/namespaces/{ns}/watch', {
    summary: 'Server-sent events: snapshot (or changes after query since=V), then changes',
    role: 'any',
  });
  add('post', '/v1/namespaces/{ns}/metrics', {
    summary: 'Report one interval of counters',
    role: 'admin, agent',
    body: ref('MetricsBody'),
    ok: 204,
  });
  add('get', '/v1/audit', {
    summary: 'Audit log, newest first (query namespace=, limit=)',
    role: 'admin, viewer',
  });
  add('post', '/v1/tokens', {
    summary:
      'Create a token (shown once): {name, role, apps?, expiresAt?}; apps limits an agent token to those apps',
    role: 'admin',
    ok: 201,
  });
  add('get', '/v1/tokens', { summary: 'List tokens (names, roles, apps, expiry)', role: 'admin' });
  add('delete', '/v1/tokens/{name}', {
    summary: 'Revoke a token (409 for the last admin token)',
    role: 'admin',
    ok: 204,
  });
  add('get', '/metrics', { summary: 'Prometheus text exposition', role: 'none (unauthenticated)' });
  add('get', '/healthz', { summary: 'Liveness', role: 'none (unauthenticated)' });

  return {
    openapi: '3.1.0',
    info: { title: 'Graylane control plane', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Lane: schema(laneSchema),
        MessageGrayscale: schema(messageGrayscaleSchema),
        GatewayRoute: schema(gatewayRouteSchema),
        Rollout: rolloutDocument(),
        RegisterBody: schema(registerBodySchema),
        HeartbeatBody: schema(heartbeatBodySchema),
        MetricsBody: schema(metricsBodySchema),
        ApplyResponse: {
          type: 'object',
          properties: {
            dryRun: { type: 'boolean' },
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  kind: { type: 'string' },
                  name: { type: 'string' },
                  namespace: { type: 'string' },
                  action: { enum: ['created', 'configured', 'unchanged'] },
                  resourceVersion: { type: 'string' },
                },
              },
            },
          },
        },
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                issues: { type: 'array' },
              },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
