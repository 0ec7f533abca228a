import { z } from 'zod';
import { DURATION_RULE, parseDuration } from './duration.js';
import { nameSchema } from './names.js';

const durationSchema = z.string().refine((t) => parseDuration(t) !== undefined, { message: DURATION_RULE });

/** `pause: {}` waits for `graylane rollout promote`; a duration moves on by itself. */
export const rolloutStepSchema = z.strictObject({
  weight: z.number().int().min(0).max(100),
  pause: z.union([durationSchema, z.strictObject({})]).optional(),
});

const ratio = z.number().positive();

const errorRateMetric = z
  .strictObject({
    name: z.literal('error-rate'),
    max: z.number().min(0).max(1).optional(),
    maxVsBaseline: ratio.optional(),
  })
  .refine((m) => m.max !== undefined || m.maxVsBaseline !== undefined, {
    message: 'error-rate needs "max" (a share from 0 to 1), "maxVsBaseline" (a ratio), or both',
  });

const latencyMetric = z
  .strictObject({
    name: z.literal('latency-p99'),
    /** Seconds. */
    max: z.number().positive().optional(),
    maxVsBaseline: ratio.optional(),
  })
  .refine((m) => m.max !== undefined || m.maxVsBaseline !== undefined, {
    message: 'latency-p99 needs "max" (seconds), "maxVsBaseline" (a ratio), or both',
  });

const prometheusMetric = z
  .strictObject({
    name: z.literal('prometheus'),
    query: z.string().min(1, 'a prometheus metric needs a PromQL query returning one number'),
    /** The Prometheus server; the control plane's --prometheus-url when left out. */
    address: z.url({ protocol: /^https?$/, error: 'address is an http(s) URL' }).optional(),
    max: z.number().optional(),
    min: z.number().optional(),
  })
  .refine((m) => m.max !== undefined || m.min !== undefined, {
    message: 'a prometheus metric needs "max", "min", or both',
  });

export const rolloutMetricSchema = z.union([errorRateMetric, latencyMetric, prometheusMetric]);

export const rolloutAnalysisSchema = z.strictObject({
  interval: durationSchema.refine(
    (t) => {
      const ms = parseDuration(t)!;
      return ms >= 1000 && ms % 1000 === 0;
    },
    { message: 'the analysis interval is whole seconds, at least 1s' },
  ),
  /** Apps whose gray instances are judged; every app with an instance of the lane's tag when left out. */
  apps: z.array(nameSchema).min(1).optional(),
  minRequests: z.number().int().min(1).default(20),
  failureLimit: z.number().int().min(0).default(0),
  metrics: z.array(rolloutMetricSchema).min(1, 'list at least one metric to judge the canary by'),
});

export const rolloutWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'a webhook url is an http(s) URL' }),
  headers: z.record(z.string(), z.string()).optional(),
});

export const rolloutSpecSchema = z.strictObject({
  /** The Lane (metadata.name, same namespace) whose entry weight this rollout drives. */
  lane: nameSchema,
  steps: z.array(rolloutStepSchema).min(1, 'a rollout has at least one step'),
  analysis: rolloutAnalysisSchema.optional(),
  webhooks: z.array(rolloutWebhookSchema).default([]),
});

export type RolloutStep = z.infer<typeof rolloutStepSchema>;
export type RolloutMetric = z.infer<typeof rolloutMetricSchema>;
export type RolloutAnalysis = z.infer<typeof rolloutAnalysisSchema>;
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;

export const rolloutPhases = ['Progressing', 'Paused', 'Completed', 'Aborted'] as const;
export type RolloutPhase = (typeof rolloutPhases)[number];
export type Verdict = 'Passed' | 'Failed' | 'Inconclusive';

/** What one side (the tag's instances or the baseline's) did in an analysis window. */
export interface Figures {
  requests: number;
  errors: number;
  /** Null without requests. */
  p99Seconds: number | null;
}

export interface MetricResult {
  /** The metric's name, plus the app for per-app metrics (`error-rate spring-cloud-a`). */
  name: string;
  app?: string;
  verdict: Verdict;
  /** The measured value (error share, p99 seconds, or the query's result); null when not measured. */
  value: number | null;
  baseline?: number | null;
  /** Why, in words: the comparison made, or why it could not be made. */
  message: string;
}

export interface AnalysisRun {
  /** 1-based count of runs since the rollout (re)started. */
  run: number;
  step: number;
  weight: number;
  /** The window judged, epoch ms [from, to). */
  from: number;
  to: number;
  verdict: Verdict;
  figures: Array<{ app: string; tag: Figures; baseline: Figures }>;
  metrics: MetricResult[];
}

/** Written only by the control plane's rollout controller. */
export interface RolloutStatus {
  phase: RolloutPhase;
  /** Index into spec.steps. */
  step: number;
  /** The weight the lane gets now (its effective entry weight). */
  weight: number;
  /** The Rollout resourceVersion this status follows; a new spec starts the walk again. */
  observedVersion: string;
  startedAt: number;
  stepStartedAt: number;
  /** Why the rollout is in its phase (`waiting for promote`, the abort reason...). */
  message: string;
  /** Set while paused by `graylane rollout pause` (not by a `pause: {}` step). */
  pausedByUser?: boolean;
  /** When a pause began, so a resumed timed step gets its remaining time back. */
  pausedAt?: number;
  failedRuns: number;
  runs: number;
  /** The last analysis runs, newest last. */
  analysis: AnalysisRun[];
  updatedAt: number;
}
