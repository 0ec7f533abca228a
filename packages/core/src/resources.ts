import { z } from 'zod';
import { API_VERSION, DEFAULT_NAMESPACE } from './api-version.js';
import { conditionSources, type MatchNode, matchGroupSchema, regexProgramSize } from './conditions.js';
import { nameSchema, namespaceSchema, tagSchema } from './names.js';
import { regexLimits } from './regex-limits.js';
import { rolloutSpecSchema } from './rollout.js';

export { API_VERSION, DEFAULT_NAMESPACE, nameSchema, namespaceSchema, tagSchema };

export const metadataSchema = z.strictObject({
  name: nameSchema,
  namespace: namespaceSchema.default(DEFAULT_NAMESPACE),
  /** Set by the server; when sent back on apply, the apply fails if the resource changed since. */
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const laneSpecSchema = z.strictObject({
  tag: tagSchema,
  priority: z.number().int().min(-1000000).max(1000000).default(0),
  entry: z
    .strictObject({
      apps: z.array(nameSchema).min(1, 'list at least one app where untagged requests get this tag'),
      match: matchGroupSchema.optional(),
      weight: z.number().int().min(0).max(100).default(0),
      weightKey: z
        .strictObject({ source: z.enum(conditionSources), name: z.string().min(1).optional() })
        .optional(),
    })
    // An entry with neither conditions nor a weight is valid only while a Rollout
    // drives the lane: that is checked across documents (lane-entry-issues.ts).
    .superRefine((entry, ctx) => {
      // One request may run every regex of a lane: their sizes together bound its cost.
      const total = entry.match ? laneProgramSize(entry.match) : 0;
      if (total > regexLimits.maxLaneProgramSize) {
        ctx.addIssue({
          code: 'custom',
          path: ['match'],
          message: `the regular expressions of one lane compile to ${total} instructions together, more than ${regexLimits.maxLaneProgramSize}: use fewer or smaller patterns`,
        });
      }
    })
    .optional(),
  propagation: z.boolean().default(true),
  fallback: z.enum(['baseline', 'strict']).default('baseline'),
});

function laneProgramSize(node: MatchNode): number {
  if ('all' in node) return node.all.reduce((sum, n) => sum + laneProgramSize(n), 0);
  if ('any' in node) return node.any.reduce((sum, n) => sum + laneProgramSize(n), 0);
  if (node.op !== 'regex') return 0;
  const size = regexProgramSize(node);
  return typeof size === 'number' ? size : 0;
}

export const messageGrayscaleSpecSchema = z.strictObject({
  enabled: z.boolean().default(true),
  filter: z.enum(['sql92', 'client']).default('sql92'),
  baselineIgnoredTags: z.array(tagSchema).default([]),
  auto: z.boolean().default(false),
});

export const gatewayRouteSpecSchema = z.strictObject({
  match: z
    .strictObject({
      pathPrefix: z.string().startsWith('/', 'a path prefix starts with "/"').optional(),
      path: z.string().startsWith('/', 'a path starts with "/"').optional(),
    })
    .refine((m) => (m.pathPrefix === undefined) !== (m.path === undefined), {
      message: 'set exactly one of "pathPrefix" and "path"',
    }),
  app: nameSchema,
  stripPrefix: z.boolean().default(false),
  timeoutMs: z.number().int().min(1).max(600000).default(10000),
  retries: z.number().int().min(0).max(5).default(1),
});

function resourceSchema<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION, { error: `apiVersion must be "${API_VERSION}"` }),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });
}

export const laneSchema = resourceSchema('Lane', laneSpecSchema);
export const messageGrayscaleSchema = resourceSchema('MessageGrayscale', messageGrayscaleSpecSchema);
export const gatewayRouteSchema = resourceSchema('GatewayRoute', gatewayRouteSpecSchema);
export const rolloutSchema = resourceSchema('Rollout', rolloutSpecSchema);

export const resourceSchemas = {
  Lane: laneSchema,
  MessageGrayscale: messageGrayscaleSchema,
  GatewayRoute: gatewayRouteSchema,
  Rollout: rolloutSchema,
} as const;

export type ResourceKind = keyof typeof resourceSchemas;
export const resourceKinds = Object.keys(resourceSchemas) as ResourceKind[];

export type Metadata = z.infer<typeof metadataSchema>;
export type LaneSpec = z.infer<typeof laneSpecSchema>;
export type Lane = z.infer<typeof laneSchema>;
export type MessageGrayscaleSpec = z.infer<typeof messageGrayscaleSpecSchema>;
export type MessageGrayscale = z.infer<typeof messageGrayscaleSchema>;
export type GatewayRouteSpec = z.infer<typeof gatewayRouteSpecSchema>;
export type GatewayRoute = z.infer<typeof gatewayRouteSchema>;
export type Rollout = z.infer<typeof rolloutSchema>;
export type Resource = Lane | MessageGrayscale | GatewayRoute | Rollout;
/** The kinds pushed to agents and gateways; a Rollout stays on the control plane. */
export type RoutingResource = Lane | MessageGrayscale | GatewayRoute;
