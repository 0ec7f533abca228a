import { nameSchema } from '@graylane/core';
import { z } from 'zod';
import { instanceTagSchema } from '../registry/registry-schemas.js';

const count = z.number().finite().min(0);
const histogram = { count, sumSeconds: count, counts: z.array(count).max(65) };
const MAX_SERIES = 2000;

export const CODE_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * One interval of an instance's counters. Histograms use the report's `bucketsSeconds`
 * (upper bounds; each `counts` has one more entry for slower calls) and carry the real
 * sum of their durations.
 */
export const metricsBodySchema = z
  .strictObject({
    instanceId: z.string().min(1).max(253),
    app: nameSchema,
    tag: instanceTagSchema,
    at: z.number().int().positive(),
    intervalMs: z.number().int().min(1).max(3_600_000),
    bucketsSeconds: z.array(z.number().finite().positive()).max(64),
    inbound: z
      .array(z.strictObject({ tag: instanceTagSchema, codeClass: z.enum(CODE_CLASSES), ...histogram }))
      .max(MAX_SERIES)
      .default([]),
    outbound: z
      .array(
        z.strictObject({
          target: nameSchema,
          tag: instanceTagSchema,
          targetTag: instanceTagSchema,
          fallback: z.boolean(),
          errors: count,
          ...histogram,
        }),
      )
      .max(MAX_SERIES)
      .default([]),
    messages: z
      .array(
        z.strictObject({
          tag: instanceTagSchema,
          direction: z.enum(['produced', 'consumed']),
          // Open: rocketmq, kafka, and whatever broker family is instrumented next.
          system: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a system is a lowercase word like rocketmq'),
          count,
        }),
      )
      .max(MAX_SERIES)
      .default([]),
    runtime: z
      .strictObject({
        heapUsedBytes: count,
        heapTotalBytes: count,
        rssBytes: count,
        eventLoopLagSeconds: count,
        eventLoopLagP99Seconds: count,
      })
      .optional(),
  })
  .refine((b) => b.bucketsSeconds.every((v, i, a) => i === 0 || v > a[i - 1]!), {
    message: 'bucketsSeconds must be increasing',
    path: ['bucketsSeconds'],
  })
  .refine(
    (b) => [...b.inbound, ...b.outbound].every((h) => h.counts.length === b.bucketsSeconds.length + 1),
    {
      message: 'every counts array has one entry per bucket plus one for slower calls',
      path: ['inbound'],
    },
  );

export type MetricsBody = z.infer<typeof metricsBodySchema>;

export const trendWindows = {
  '5m': { spanMs: 5 * 60_000, stepMs: 1000, res: 's' },
  '1h': { spanMs: 3_600_000, stepMs: 10_000, res: 's' },
  '24h': { spanMs: 24 * 3_600_000, stepMs: 5 * 60_000, res: 'm' },
  '7d': { spanMs: 7 * 24 * 3_600_000, stepMs: 3_600_000, res: 'm' },
} as const;

export type TrendWindow = keyof typeof trendWindows;
