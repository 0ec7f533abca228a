import type { AnalysisRun, Figures, Rollout, RolloutAction, RolloutStatus } from '@graylane/core';
import { useState } from 'react';
import { enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { LineChart } from '../components/line-chart.js';
import { Async, Empty, ErrorBox, ReadOnlyNote } from '../components/states.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { formatPercent, formatQps } from '../trend-stats.js';
import type { Trend } from '../types.js';
import { usePoll } from '../use-poll.js';

type RolloutView = Rollout & { status?: RolloutStatus };

/** Which verbs a phase allows; the server decides too (GL_ROLLOUT_STATE), this only avoids useless buttons. */
function allowed(status: RolloutStatus | undefined): Record<RolloutAction, boolean> {
  const phase = status?.phase;
  const live = phase === 'Progressing' || phase === 'Paused';
  return {
    promote: live,
    pause: phase === 'Progressing',
    resume: phase === 'Paused' && status?.pausedByUser === true,
    abort: live,
    retry: phase === 'Aborted',
  };
}

const verbs: Array<{ action: RolloutAction; label: string; danger?: boolean }> = [
  { action: 'promote', label: 'Promote' },
  { action: 'pause', label: 'Pause' },
  { action: 'resume', label: 'Resume' },
  { action: 'abort', label: 'Abort', danger: true },
  { action: 'retry', label: 'Retry' },
];

function PhaseBadge(props: { status: RolloutStatus | undefined }) {
  const phase = props.status?.phase ?? 'Pending';
  return (
    <span className={`phase phase-${phase.toLowerCase()}`} data-testid="phase">
      {phase}
    </span>
  );
}

const num = (n: number | null | undefined, digits = 3) =>
  n === null || n === undefined ? '–' : String(Math.round(n * 10 ** digits) / 10 ** digits);
const share = (f: Figures) => (f.requests > 0 ? formatPercent(f.errors / f.requests) : '–');
const p99 = (f: Figures) => (f.p99Seconds === null ? '–' : `${num(f.p99Seconds * 1000, 1)} ms`);

export function RolloutsPage() {
  const { api, nsPath } = useSession();
  const state = usePoll(() => api.get<{ items: RolloutView[] }>(`${nsPath}/rollouts`), 3000, [nsPath]);
  return (
    <section aria-labelledby="rollouts-title">
      <header className="page-head">
        <h1 id="rollouts-title">Rollouts</h1>
      </header>
      <p className="sub">
        A rollout walks a lane's weight through steps, judges the gray instances against the baseline, and
        aborts a failing canary by itself. Apply one with <code>graylane apply -f</code> (docs/rollouts.md).
      </p>
      <Async what="rollouts" {...state}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty title="No rollouts in this namespace" />
          ) : (
            <DataTable columns={['Name', 'Lane', 'Phase', 'Step', 'Weight', 'Failed runs']}>
              {items.map((r) => (
                <tr key={r.metadata.name}>
                  <th scope="row">
                    <Link href={`/rollouts/${enc(r.metadata.name)}`}>{r.metadata.name}</Link>
                  </th>
                  <td>{r.spec.lane}</td>
                  <td>
                    <PhaseBadge status={r.status} />
                  </td>
                  <td>{r.status ? `${r.status.step + 1} of ${r.spec.steps.length}` : '–'}</td>
                  <td>{r.status?.weight ?? 0}%</td>
                  <td>{r.status?.failedRuns ?? 0}</td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Async>
    </section>
  );
}

function Timeline(props: { rollout: RolloutView }) {
  const { spec, status } = props.rollout;
  return (
    <ol className="timeline" aria-label="Steps">
      {spec.steps
        .map((step, n) => ({ step, i: n }))
        .map(({ step, i }) => {
          const done = status !== undefined && (i < status.step || status.phase === 'Completed');
          const current = status !== undefined && i === status.step && status.phase !== 'Completed';
          const state = done
            ? 'done'
            : current
              ? status?.phase === 'Aborted'
                ? 'aborted'
                : 'current'
              : 'todo';
          const pause =
            step.pause === undefined
              ? 'no pause'
              : typeof step.pause === 'string'
                ? `pause ${step.pause}`
                : 'until promoted';
          return (
            <li
              key={i}
              className={`step ${state}`}
              aria-current={current ? 'step' : undefined}
              data-state={state}
            >
              <span className="step-weight">{step.weight}%</span>
              <span className="step-pause">{pause}</span>
              <span className="sr-only">{state === 'todo' ? 'to do' : state}</span>
            </li>
          );
        })}
    </ol>
  );
}

function Runs(props: { runs: AnalysisRun[] }) {
  if (props.runs.length === 0) return <Empty title="No analysis run yet" />;
  return (
    <DataTable columns={['Run', 'Step', 'Weight', 'Verdict', 'Figures (gray vs baseline)', 'Metrics']}>
      {[...props.runs].reverse().map((run) => (
        <tr key={run.run} data-testid={`run-${run.run}`}>
          <th scope="row">#{run.run}</th>
          <td>{run.step + 1}</td>
          <td>{run.weight}%</td>
          <td>
            <span className={`verdict verdict-${run.verdict.toLowerCase()}`}>{run.verdict}</span>
          </td>
          <td>
            {run.figures.map((f) => (
              <div key={f.app}>
                <strong>{f.app}</strong>: {num(f.tag.requests, 0)} req, errors {share(f.tag)} (baseline{' '}
                {share(f.baseline)}), p99 {p99(f.tag)} (baseline {p99(f.baseline)})
              </div>
            ))}
          </td>
          <td>
            {run.metrics.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a run's metric list never changes
              <div key={i}>
                {m.name}
                {m.app ? ` ${m.app}` : ''}: {m.verdict} — {m.message}
              </div>
            ))}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The per-tag charts of the first app the rollout judges, so the figures sit beside the traffic. */
function AppCharts(props: { app: string }) {
  const { api, nsPath } = useSession();
  const trend = usePoll(() => api.get<Trend>(`${nsPath}/apps/${enc(props.app)}/metrics?window=5m`), 3000, [
    nsPath,
    props.app,
  ]);
  const series = (pick: (p: Trend['series'][number]['points'][number]) => number | null) =>
    (trend.data?.series ?? []).map((s) => ({
      tag: s.tag,
      points: s.points.map((p) => ({ t: p.t, v: pick(p) })),
    }));
  return (
    <Async what="traffic" {...trend}>
      {() => (
        <div className="charts">
          <LineChart
            id="rollout-qps"
            title={`${props.app}: requests per second`}
            series={series((p) => p.qps)}
            format={formatQps}
          />
          <LineChart
            id="rollout-errors"
            title={`${props.app}: error rate`}
            series={series((p) => (p.qps > 0 ? p.errorRate : null))}
            format={formatPercent}
          />
        </div>
      )}
    </Async>
  );
}

export function RolloutPage(props: { name: string }) {
  const { api, nsPath, canWrite } = useSession();
  const path = `${nsPath}/rollouts/${enc(props.name)}`;
  const state = usePoll(() => api.get<RolloutView>(path), 1000, [path]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  async function act(action: RolloutAction) {
    setError(undefined);
    setBusy(true);
    try {
      await api.post(`${path}/${action}`, {});
      state.reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="rollout-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/rollouts">Rollouts</Link> / <span>{props.name}</span>
      </nav>
      <Async what="the rollout" {...state}>
        {(r) => {
          const can = allowed(r.status);
          const apps = r.spec.analysis?.apps ?? r.status?.analysis.at(-1)?.figures.map((f) => f.app) ?? [];
          return (
            <>
              <header className="page-head">
                <h1 id="rollout-title">
                  {r.metadata.name} <PhaseBadge status={r.status} />
                </h1>
              </header>
              <p className="sub">
                Lane <strong>{r.spec.lane}</strong>: current weight{' '}
                <strong data-testid="weight">{r.status?.weight ?? 0}%</strong>.{' '}
                <span data-testid="message">
                  {r.status?.message ?? 'waiting for the controller to start it'}
                </span>
              </p>
              <meter
                className="weight"
                min={0}
                max={100}
                value={r.status?.weight ?? 0}
                aria-label="Current weight"
              />
              <Timeline rollout={r} />
              {canWrite ? (
                <fieldset className="actions plain">
                  <legend className="sr-only">Rollout actions</legend>
                  {verbs.map((v) => (
                    <button
                      key={v.action}
                      type="button"
                      className={v.danger ? 'danger' : undefined}
                      disabled={busy || !can[v.action]}
                      onClick={() => act(v.action)}
                    >
                      {v.label}
                    </button>
                  ))}
                </fieldset>
              ) : (
                <ReadOnlyNote />
              )}
              {error && <ErrorBox error={error} />}
              <h2>Analysis</h2>
              <p className="sub">
                {r.spec.analysis
                  ? `Every ${r.spec.analysis.interval}; at least ${r.spec.analysis.minRequests} requests per app; ` +
                    `abort after ${r.spec.analysis.failureLimit + 1} failed runs. ${r.status?.runs ?? 0} runs, ` +
                    `${r.status?.failedRuns ?? 0} failed.`
                  : 'No analysis: steps move on by time and promote.'}
              </p>
              <Runs runs={r.status?.analysis ?? []} />
              {apps[0] && <AppCharts app={apps[0]} />}
            </>
          );
        }}
      </Async>
    </section>
  );
}
