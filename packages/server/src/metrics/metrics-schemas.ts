import { nameSchema } from '@graylane/core';
import { z } from 'zod';
import { instanceTagSchema } from '../registry/registry-schemas.js';

const count = z.number().finite().min(0);

export const metricsBodySchema = z
  .strictObject({
    instanceId: z.string().min(1).max(253),
    app: nameSchema,
    tag: instanceTagSchema,
    at: z.number().int().positive(),
    intervalMs: z.number().int().min(1).max(3_600_000),
    requests: count,
    errors: count,
    latencyBucketsMs: z.array(z.number().finite().positive()).max(64),
    latencyCounts: z.array(count).max(65),
  })
  .refine((b) => b.latencyCounts.length === b.latencyBucketsMs.length + 1, {
    message: 'latencyCounts has one entry per bucket plus one for slower requests',
    path: ['latencyCounts'],
  })
  .refine((b) => b.latencyBucketsMs.every((v, i, a) => i === 0 || v > a[i - 1]!), {
    message: 'latencyBucketsMs must be increasing',
    path: ['latencyBucketsMs'],
  });

export type MetricsBody = z.infer<typeof metricsBodySchema>;

export const trendWindows = {
  '5m': { spanMs: 5 * 60_000, stepMs: 1000, res: 's' },
  '1h': { spanMs: 3_600_000, stepMs: 10_000, res: 's' },
  '24h': { spanMs: 24 * 3_600_000, stepMs: 5 * 60_000, res: 'm' },
  '7d': { spanMs: 7 * 24 * 3_600_000, stepMs: 3_600_000, res: 'm' },
} as const;

export type TrendWindow = keyof typeof trendWindows;
