import { useState } from 'react';
import { enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { LineChart } from '../components/line-chart.js';
import { Async, Empty } from '../components/states.js';
import { TagBadge } from '../components/tag-badge.js';
import { laneLeakWarning } from '../lane-leak-warning.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { formatMs, formatPercent, formatQps } from '../trend-stats.js';
import type { AppSummary, Instance, Trend } from '../types.js';
import { usePoll } from '../use-poll.js';

const windows = [
  { id: '5m', label: '5 minutes', refreshMs: 3000 },
  { id: '1h', label: '1 hour', refreshMs: 10000 },
  { id: '24h', label: '24 hours', refreshMs: 60000 },
  { id: '7d', label: '7 days', refreshMs: 300000 },
] as const;

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

export function AppPage(props: { app: string }) {
  const { api, nsPath } = useSession();
  const [window, setWindow] = useState<(typeof windows)[number]>(windows[0]);
  const base = `${nsPath}/apps/${enc(props.app)}`;
  const trend = usePoll(() => api.get<Trend>(`${base}/metrics?window=${window.id}`), window.refreshMs, [
    base,
    window.id,
  ]);
  const detail = usePoll(
    () => api.get<AppSummary & { items: Instance[]; laneLeaks?: Record<string, number> }>(base),
    5000,
    [base],
  );
  const leakWarning = laneLeakWarning(detail.data?.laneLeaks);

  const series = (pick: (p: Trend['series'][number]['points'][number]) => number | null) =>
    (trend.data?.series ?? []).map((s) => ({
      tag: s.tag,
      points: s.points.map((p) => ({ t: p.t, v: pick(p) })),
    }));

  return (
    <section aria-labelledby="app-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/apps">Applications</Link> / <span>{props.app}</span>
      </nav>
      <header className="page-head">
        <h1 id="app-title">{props.app}</h1>
        <fieldset className="segmented">
          <legend className="sr-only">Time window</legend>
          {windows.map((w) => (
            <button
              key={w.id}
              type="button"
              aria-pressed={w.id === window.id}
              className={w.id === window.id ? 'on' : ''}
              onClick={() => setWindow(w)}
            >
              {w.label}
            </button>
          ))}
        </fieldset>
      </header>
      {leakWarning && (
        <div className="state warning" role="alert">
          <strong>Lane leak.</strong> {leakWarning}
        </div>
      )}
      <Async what="traffic" {...trend}>
        {() => (
          <div className="charts">
            <LineChart
              id="qps"
              title="Requests per second"
              series={series((p) => p.qps)}
              format={formatQps}
            />
            <LineChart
              id="errors"
              title="Error rate (5xx)"
              series={series((p) => (p.qps > 0 ? p.errorRate : null))}
              format={formatPercent}
            />
            <LineChart id="p50" title="Latency p50" series={series((p) => p.p50)} format={formatMs} />
            <LineChart id="p99" title="Latency p99" series={series((p) => p.p99)} format={formatMs} />
            <LineChart
              id="produced"
              title="Messages produced per second"
              series={series((p) => p.produced)}
              format={formatQps}
            />
            <LineChart
              id="consumed"
              title="Messages consumed per second"
              series={series((p) => p.consumed)}
              format={formatQps}
            />
          </div>
        )}
      </Async>
      <h2>Instances</h2>
      <Async what="instances" {...detail}>
        {(app) =>
          app.items.length === 0 ? (
            <Empty title="No live instances">
              They appear when a process of this app starts with the agent.
            </Empty>
          ) : (
            <DataTable columns={['Tag', 'Address', 'Ports', 'Consumer groups', 'Last heartbeat', 'Id']}>
              {[...app.items]
                .sort((a, b) => a.tag.localeCompare(b.tag) || a.id.localeCompare(b.id))
                .map((i) => (
                  <tr key={i.id}>
                    <td>
                      <TagBadge tag={i.tag} />
                    </td>
                    <td>{i.address}</td>
                    <td>
                      {Object.entries(i.ports)
                        .map(([k, v]) => `${k} ${v}`)
                        .join(', ')}
                    </td>
                    <td>{i.consumerGroups?.join(', ') || <span className="muted">none</span>}</td>
                    <td>
                      <time dateTime={new Date(i.lastHeartbeat).toISOString()}>{ago(i.lastHeartbeat)}</time>
                    </td>
                    <td className="mono">{i.id}</td>
                  </tr>
                ))}
            </DataTable>
          )
        }
      </Async>
    </section>
  );
}
