import { enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { Async, Empty } from '../components/states.js';
import { TagBadge } from '../components/tag-badge.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { formatPercent, formatQps, recentStats, type TagStats } from '../trend-stats.js';
import type { AppSummary, Trend } from '../types.js';
import { tagLabel } from '../types.js';
import { usePoll } from '../use-poll.js';

interface Row {
  app: AppSummary;
  stats: TagStats[];
}

export function AppsPage() {
  const { api, nsPath } = useSession();
  const rows = usePoll<Row[]>(
    async () => {
      const { items } = await api.get<{ items: AppSummary[] }>(`${nsPath}/apps`);
      return Promise.all(
        items.map(async (app) => {
          const trend = await api
            .get<Trend>(`${nsPath}/apps/${enc(app.name)}/metrics?window=5m`)
            .catch(() => ({ step: 1000, series: [] }));
          return { app, stats: recentStats(trend) };
        }),
      );
    },
    5000,
    [nsPath],
  );

  return (
    <section aria-labelledby="apps-title">
      <header className="page-head">
        <h1 id="apps-title">Applications</h1>
        <p className="sub">
          Instances per tag and live traffic (mean of the last 30 s), refreshed every 5 s.
        </p>
      </header>
      <Async what="applications" {...rows}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No applications yet">
              Start a service with the agent (<code>node --import @graylane/agent/register app.js</code> and{' '}
              <code>GRAYLANE_SERVER</code>, <code>GRAYLANE_APP</code>, <code>GRAYLANE_TAG</code>): it appears
              here.
            </Empty>
          ) : (
            <DataTable columns={['Application', 'Instances per tag', 'QPS per tag', 'Error rate per tag']}>
              {list.map(({ app, stats }) => {
                const tags = [...new Set([...Object.keys(app.instances), ...stats.map((s) => s.tag)])].sort();
                const of = (tag: string) => stats.find((s) => s.tag === tag);
                return (
                  <tr key={app.name} data-app={app.name}>
                    <th scope="row">
                      <Link href={`/apps/${enc(app.name)}`}>{app.name}</Link>
                    </th>
                    <td>
                      {tags.length === 0 ? (
                        <span className="muted">no instances</span>
                      ) : (
                        tags.map((t) => <TagBadge key={t} tag={t} count={app.instances[t] ?? 0} />)
                      )}
                    </td>
                    <td>
                      {tags.map((t) => (
                        <div key={t} className="stat" data-qps-tag={t}>
                          <span className="muted">{tagLabel(t)}</span> {formatQps(of(t)?.qps ?? 0)}
                        </div>
                      ))}
                    </td>
                    <td>
                      {tags.map((t) => {
                        const rate = of(t)?.errorRate ?? 0;
                        return (
                          <div key={t} className={`stat${rate > 0.05 ? ' bad' : ''}`}>
                            <span className="muted">{tagLabel(t)}</span> {formatPercent(rate)}
                          </div>
                        );
                      })}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )
        }
      </Async>
    </section>
  );
}
