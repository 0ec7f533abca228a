import { parseDuration } from './duration.js';
import { GraylaneError } from './graylane-error.js';
import type { AnalysisRun, RolloutSpec, RolloutStatus } from './rollout.js';

/** How many analysis runs a status keeps (the newest). */
export const KEPT_RUNS = 20;

export type RolloutAction = 'promote' | 'pause' | 'resume' | 'abort' | 'retry';
export const rolloutActions: readonly RolloutAction[] = ['promote', 'pause', 'resume', 'abort', 'retry'];

/** The status of a rollout entering `step` (0 for a fresh start). */
function enter(spec: RolloutSpec, base: RolloutStatus, step: number, now: number): RolloutStatus {
  const s = spec.steps[step]!;
  const waits = s.pause !== undefined && typeof s.pause === 'object';
  return {
    ...base,
    step,
    weight: s.weight,
    stepStartedAt: now,
    phase: waits ? 'Paused' : 'Progressing',
    message: waits ? `step ${step + 1}: waiting for promote` : `step ${step + 1} of ${spec.steps.length}`,
    pausedByUser: undefined,
    pausedAt: waits ? now : undefined,
    updatedAt: now,
  };
}

export function startRollout(spec: RolloutSpec, observedVersion: string, now: number): RolloutStatus {
  const base: RolloutStatus = {
    phase: 'Progressing',
    step: 0,
    weight: 0,
    observedVersion,
    startedAt: now,
    stepStartedAt: now,
    message: '',
    failedRuns: 0,
    runs: 0,
    analysis: [],
    updatedAt: now,
  };
  return enter(spec, base, 0, now);
}

function complete(spec: RolloutSpec, status: RolloutStatus, now: number): RolloutStatus {
  return {
    ...status,
    phase: 'Completed',
    pausedAt: undefined,
    pausedByUser: undefined,
    message: `completed: the lane keeps weight ${status.weight} until the Rollout is deleted`,
    updatedAt: now,
    step: spec.steps.length - 1,
  };
}

function advance(spec: RolloutSpec, status: RolloutStatus, now: number): RolloutStatus {
  return status.step + 1 >= spec.steps.length
    ? complete(spec, status, now)
    : enter(spec, status, status.step + 1, now);
}

export function abortRollout(status: RolloutStatus, reason: string, now: number): RolloutStatus {
  return {
    ...status,
    phase: 'Aborted',
    weight: 0,
    message: reason,
    pausedAt: undefined,
    pausedByUser: undefined,
    updatedAt: now,
  };
}

/** The next analysis window [from, to) of whole seconds, counted from the rollout's start. */
export function nextWindow(
  spec: RolloutSpec,
  status: RolloutStatus,
): { from: number; to: number } | undefined {
  if (!spec.analysis || status.phase === 'Completed' || status.phase === 'Aborted') return undefined;
  const interval = parseDuration(spec.analysis.interval)!;
  const base = Math.ceil(status.startedAt / 1000) * 1000;
  const from = base + status.runs * interval;
  return { from, to: from + interval };
}

/** Windows further behind than this are skipped (the control plane was down): judging them would only say "no data". */
const MAX_BEHIND = 3;

/** Moves the window count forward past windows too old to judge; returns the status unchanged when not needed. */
export function skipStaleWindows(spec: RolloutSpec, status: RolloutStatus, now: number): RolloutStatus {
  const w = nextWindow(spec, status);
  if (!w) return status;
  const interval = w.to - w.from;
  const behind = Math.floor((now - w.to) / interval);
  if (behind <= MAX_BEHIND) return status;
  return { ...status, runs: status.runs + behind - 1 };
}

/** Adds a judged run; fails beyond `failureLimit` abort the rollout at once. */
export function recordRun(
  spec: RolloutSpec,
  status: RolloutStatus,
  run: AnalysisRun,
  now: number,
): RolloutStatus {
  const failedRuns = status.failedRuns + (run.verdict === 'Failed' ? 1 : 0);
  const next: RolloutStatus = {
    ...status,
    runs: status.runs + 1,
    failedRuns,
    analysis: [...status.analysis, run].slice(-KEPT_RUNS),
    updatedAt: now,
  };
  const limit = spec.analysis?.failureLimit ?? 0;
  if (run.verdict === 'Failed' && failedRuns > limit) {
    const why = run.metrics
      .filter((m) => m.verdict === 'Failed')
      .map((m) => `${m.name}${m.app ? ` ${m.app}` : ''}: ${m.message}`)
      .join('; ');
    return abortRollout(
      next,
      `aborted: ${failedRuns} failed analysis runs (failureLimit ${limit}); last: ${why}`,
      now,
    );
  }
  return next;
}

/**
 * Moves a timed step on once its pause is over and, with analysis, once the
 * latest run judged entirely at this step's weight passed ("inconclusive" is
 * not a pass: the step waits).
 */
export function progress(spec: RolloutSpec, status: RolloutStatus, now: number): RolloutStatus {
  if (status.phase !== 'Progressing') return status;
  const pause = spec.steps[status.step]!.pause;
  const ms = typeof pause === 'string' ? parseDuration(pause)! : 0;
  if (now < status.stepStartedAt + ms) return status;
  if (spec.analysis) {
    const last = status.analysis.at(-1);
    if (!last || last.from < status.stepStartedAt || last.verdict !== 'Passed') return status;
  }
  return advance(spec, status, now);
}

function refuse(status: RolloutStatus, action: RolloutAction, why: string): GraylaneError {
  return new GraylaneError('GL_ROLLOUT_STATE', `cannot ${action} a rollout that is ${status.phase}: ${why}`);
}

/** A person's verb (`graylane rollout promote|pause|resume|abort|retry`). */
export function actOn(
  spec: RolloutSpec,
  status: RolloutStatus,
  action: RolloutAction,
  now: number,
  actor: string,
): RolloutStatus {
  const terminal = status.phase === 'Completed' || status.phase === 'Aborted';
  switch (action) {
    case 'promote':
      if (terminal)
        throw refuse(status, action, status.phase === 'Aborted' ? 'retry it first' : 'it is finished');
      return advance(spec, status, now);
    case 'pause':
      if (status.phase !== 'Progressing')
        throw refuse(status, action, 'only a progressing rollout can be paused');
      return {
        ...status,
        phase: 'Paused',
        pausedByUser: true,
        pausedAt: now,
        message: `paused by ${actor}`,
        updatedAt: now,
      };
    case 'resume': {
      if (status.phase !== 'Paused' || !status.pausedByUser) {
        throw refuse(
          status,
          action,
          status.phase === 'Paused' ? 'this step waits for promote' : 'it is not paused',
        );
      }
      // A timed step gets back the time it spent paused.
      const stepStartedAt = status.stepStartedAt + (now - (status.pausedAt ?? now));
      return {
        ...status,
        phase: 'Progressing',
        pausedByUser: undefined,
        pausedAt: undefined,
        stepStartedAt,
        message: `step ${status.step + 1} of ${spec.steps.length}`,
        updatedAt: now,
      };
    }
    case 'abort':
      if (terminal) throw refuse(status, action, 'it is finished');
      return abortRollout(status, `aborted by ${actor}`, now);
    case 'retry':
      if (status.phase !== 'Aborted') throw refuse(status, action, 'only an aborted rollout can be retried');
      return startRollout(spec, status.observedVersion, now);
  }
}
