import {
  type AnalysisRun,
  type AppFigures,
  judgeAnalysis,
  nextWindow,
  progress,
  type QueryResult,
  type Rollout,
  type RolloutStatus,
  recordRun,
  skipStaleWindows,
  startRollout,
} from '@graylane/core';
import type { ServerContext } from '../server-context.js';
import { queryPrometheus } from './query-prometheus.js';
import { sendWebhooks } from './send-webhooks.js';

export interface RolloutControllerOptions {
  /** This replica's id: the lease holder and part of the audit actor. */
  replica: string;
  tickMs: number;
  leaseMs: number;
  /** How long after a window ends its metrics are read: agents report late, replicas flush every second. */
  analysisLagMs: number;
  prometheusUrl?: string;
}

export interface RolloutController {
  /** Runs one pass now (tests, and the timer). */
  tick(): Promise<void>;
  isLeader(): boolean;
  close(): Promise<void>;
}

export const ROLLOUT_LEASE = 'rollout-controller';

/**
 * Drives every Rollout of every namespace. Replicas sharing a database compete
 * for one lease; only its holder acts, and each status write re-checks the
 * lease inside its transaction, so a replica that lost it (paused, cut off)
 * cannot write over the new leader. All state is in the status row: a
 * restarted control plane picks up at the same step, window and failure count.
 */
export function createRolloutController(
  app: ServerContext,
  options: RolloutControllerOptions,
): RolloutController {
  const actor = `rollout-controller/${options.replica}`;
  const pending = new Set<Promise<void>>();
  let leader = false;
  let running: Promise<void> | undefined;
  let closed = false;

  function background(p: Promise<void>): void {
    pending.add(p);
    p.finally(() => pending.delete(p));
  }

  async function analyse(rollout: Rollout, status: RolloutStatus, window: { from: number; to: number }) {
    const analysis = rollout.spec.analysis!;
    const state = await app.hub.space(rollout.metadata.namespace);
    const tag = state.lanes.get(rollout.spec.lane)?.spec.tag;
    const apps =
      analysis.apps ??
      [
        ...new Set(
          [...state.instances.values()].filter((i) => tag !== undefined && i.tag === tag).map((i) => i.app),
        ),
      ].sort();
    const figures: AppFigures[] = [];
    for (const name of apps) {
      const ns = rollout.metadata.namespace;
      figures.push({
        app: name,
        tag:
          tag === undefined
            ? { requests: 0, errors: 0, p99Seconds: null }
            : await app.metrics.figures(ns, name, tag, window.from, window.to),
        baseline: await app.metrics.figures(ns, name, '', window.from, window.to),
      });
    }
    const queries = new Map<number, QueryResult>();
    for (const [index, metric] of analysis.metrics.entries()) {
      if (metric.name !== 'prometheus') continue;
      const address = metric.address ?? options.prometheusUrl;
      queries.set(
        index,
        address === undefined
          ? {
              error:
                'GL_PROMETHEUS_QUERY_FAILED: no address: set the metric\'s "address" or the server\'s --prometheus-url',
            }
          : await queryPrometheus(address, metric.query, window.to),
      );
    }
    const judged = judgeAnalysis(analysis, figures, queries);
    const run: AnalysisRun = {
      run: status.runs + 1,
      step: status.step,
      weight: status.weight,
      ...window,
      ...judged,
    };
    return run;
  }

  async function drive(rollout: Rollout): Promise<void> {
    const { namespace, name } = rollout.metadata;
    const spec = rollout.spec;
    const now = Date.now();
    const status = await app.store.getRolloutStatus(namespace, name);
    let next: RolloutStatus;
    let action: string | undefined;
    if (status === undefined || status.observedVersion !== rollout.metadata.resourceVersion) {
      next = startRollout(spec, rollout.metadata.resourceVersion ?? '', now);
      action = 'rollout-start';
    } else {
      next = status;
      if ((next.phase === 'Progressing' || next.phase === 'Paused') && spec.analysis) {
        next = skipStaleWindows(spec, next, now);
        const window = nextWindow(spec, next);
        if (window && now >= window.to + options.analysisLagMs) {
          next = recordRun(spec, next, await analyse(rollout, next, window), now);
        }
      }
      next = progress(spec, next, now);
      if (next === status) return;
      if (next.phase !== status.phase) action = `rollout-${next.phase.toLowerCase()}`;
      else if (next.step !== status.step) action = 'rollout-step';
    }
    const change = await app.store.putRolloutStatus(namespace, name, next, {
      lease: { name: ROLLOUT_LEASE, holder: options.replica },
      expect: status?.updatedAt ?? null,
      audit: action === undefined ? undefined : { actor, action, before: status ?? null, after: next },
    });
    if (change === undefined) return; // lost the lease or a person acted meanwhile: the next pass sees it
    await app.hub.publish([change]);
    if (next.phase !== status?.phase) background(sendWebhooks(rollout, next, status?.phase ?? null, app.log));
  }

  async function pass(): Promise<void> {
    leader = await app.store.acquireLease(ROLLOUT_LEASE, options.replica, Date.now(), options.leaseMs);
    if (!leader) return;
    for (const ns of await app.store.listNamespaces()) {
      const state = await app.hub.space(ns.name);
      for (const rollout of [...state.rollouts.values()]) {
        if (closed) return;
        // The hub may trail another replica's commit by a moment; the store has the document's current version.
        const current = await app.store.getResource(ns.name, 'Rollout', rollout.metadata.name);
        if (current?.kind !== 'Rollout') continue;
        await drive(current).catch((error: Error) =>
          app.log(
            `rollout ${ns.name}/${rollout.metadata.name}: ${error.message}; tried again on the next pass`,
          ),
        );
      }
    }
  }

  function tick(): Promise<void> {
    running ??= pass()
      .catch((error: Error) => app.log(`rollout controller: ${error.message}; tried again on the next pass`))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void tick(), options.tickMs);
  timer.unref();

  return {
    tick,
    isLeader: () => leader,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await Promise.all([...pending]);
      if (leader) await app.store.releaseLease(ROLLOUT_LEASE, options.replica).catch(() => undefined);
    },
  };
}
