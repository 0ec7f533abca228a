import { DataTable } from '../components/data-table.js';
import { Async, Empty } from '../components/states.js';
import { TagBadge } from '../components/tag-badge.js';
import { LaneGraph, reachLabel } from '../lanes/lane-graph.js';
import { useSession } from '../session.js';
import { formatPercent, formatQps } from '../trend-stats.js';
import { type LaneMap, tagLabel } from '../types.js';
import { usePoll } from '../use-poll.js';

const WINDOW_SECONDS = 30;

/**
 * Where each lane holds and where it falls back: the caller → callee edges the agents
 * measured over the last half minute, per lane, refreshed every few seconds.
 */
export function LaneMapPage() {
  const { api, nsPath } = useSession();
  const map = usePoll(() => api.get<LaneMap>(`${nsPath}/lane-map?windowSeconds=${WINDOW_SECONDS}`), 3000, [
    nsPath,
  ]);
  return (
    <section aria-labelledby="map-title">
      <header className="page-head">
        <h1 id="map-title">Lane map</h1>
      </header>
      <p className="sub">
        Calls between apps over the last {WINDOW_SECONDS} seconds, per lane: a solid arrow stayed in the lane,
        a dashed orange one <b>fell back</b> to the baseline (no instance of the lane could take it), a dashed
        red one <b>leaked</b> into another lane.
      </p>
      <Async what="lane map" {...map}>
        {({ lanes }) =>
          lanes.length === 0 ? (
            <Empty title="No calls between apps in the last half minute">
              Edges appear when apps running with the agent call each other.
            </Empty>
          ) : (
            <div className="lanes-map">
              {[...lanes]
                .sort((a, b) => (a.tag === '' ? 1 : b.tag === '' ? -1 : a.tag.localeCompare(b.tag)))
                .map((lane) => {
                  const fellBack = lane.edges.filter((e) => e.reached === 'fallback').length;
                  const leaked = lane.edges.filter((e) => e.reached === 'leak').length;
                  return (
                    <article
                      key={lane.tag}
                      className="panel lane-card"
                      aria-labelledby={`lane-${lane.tag || 'baseline'}`}
                      data-lane={tagLabel(lane.tag)}
                    >
                      <header className="card-head">
                        <h2 id={`lane-${lane.tag || 'baseline'}`}>
                          Lane <TagBadge tag={lane.tag} />
                        </h2>
                        <span className={fellBack + leaked > 0 ? 'warn' : 'ok'}>
                          {fellBack + leaked === 0
                            ? 'every hop stays in the lane'
                            : [
                                fellBack &&
                                  (fellBack > 1 ? `${fellBack} hops fall back` : '1 hop falls back'),
                                leaked && (leaked > 1 ? `${leaked} leaks` : '1 leak'),
                              ]
                                .filter(Boolean)
                                .join(', ')}
                        </span>
                      </header>
                      <div className="graph-scroll">
                        <LaneGraph tag={lane.tag} edges={lane.edges} />
                      </div>
                      <DataTable columns={['Caller', 'Callee', 'Reached', 'Calls/s', 'Errors', 'p99']}>
                        {lane.edges.map((e) => (
                          <tr
                            key={`${e.from}>${e.to}>${e.targetTag}>${e.reached}`}
                            data-from={e.from}
                            data-to={e.to}
                            data-reached={e.reached}
                          >
                            <td>{e.from}</td>
                            <td>{e.to}</td>
                            <td className={`reach-${e.reached}`}>{reachLabel(e)}</td>
                            <td>{formatQps(e.rate)}</td>
                            <td>
                              {e.errors > 0 ? `${formatPercent(e.errorRate)} (${Math.round(e.errors)})` : '0'}
                            </td>
                            <td>{e.p99Seconds === null ? '–' : `${Math.round(e.p99Seconds * 1000)} ms`}</td>
                          </tr>
                        ))}
                      </DataTable>
                    </article>
                  );
                })}
            </div>
          )
        }
      </Async>
    </section>
  );
}
