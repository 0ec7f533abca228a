import { byPriority, type Lane } from '@graylane/core';
import { useState } from 'react';
import { ApiError, enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { Async, Empty, ErrorBox, ReadOnlyNote } from '../components/states.js';
import { TagBadge } from '../components/tag-badge.js';
import { emptyLane, LaneEditor } from '../lanes/lane-editor.js';
import { RequestTester } from '../lanes/request-tester.js';
import { summarizeMatch } from '../lanes/summarize-match.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import type { AppSummary } from '../types.js';
import { usePoll } from '../use-poll.js';

function useLanes() {
  const { api, nsPath } = useSession();
  return usePoll(
    async () => {
      const [lanes, apps] = await Promise.all([
        api.get<{ items: Lane[] }>(`${nsPath}/lanes`),
        api.get<{ items: AppSummary[] }>(`${nsPath}/apps`),
      ]);
      return {
        lanes: [...lanes.items].sort(byPriority),
        apps: [...new Set(['gateway', ...apps.items.map((a) => a.name)])],
      };
    },
    0,
    [nsPath],
  );
}

export function LanesPage() {
  const { api, nsPath, canWrite } = useSession();
  const state = useLanes();
  const [deleteError, setDeleteError] = useState<Error>();

  async function remove(name: string) {
    if (!window.confirm(`Delete lane "${name}"? Requests stop getting its tag at once.`)) return;
    try {
      await api.del(`${nsPath}/lanes/${enc(name)}`);
      setDeleteError(undefined);
      state.reload();
    } catch (e) {
      setDeleteError(e as Error);
    }
  }

  return (
    <section aria-labelledby="lanes-title">
      <header className="page-head">
        <h1 id="lanes-title">Tag-based routing</h1>
        {canWrite && (
          <Link className="button primary" href="/lanes/new">
            New lane
          </Link>
        )}
      </header>
      <p className="sub">
        Lanes colour requests with a tag at their entry apps; tagged traffic stays on instances with that tag.
      </p>
      {!canWrite && <ReadOnlyNote />}
      {deleteError && <ErrorBox error={deleteError} />}
      <Async what="lanes" {...state}>
        {({ lanes }) => (
          <>
            {lanes.length === 0 ? (
              <Empty title="No lanes yet">
                {canWrite ? (
                  <>
                    <Link href="/lanes/new">Create a lane</Link> to send chosen requests (a header, a user id,
                    a share of traffic) to the instances of a tag such as <code>gray</code>.
                  </>
                ) : (
                  'An admin can create lanes here.'
                )}
              </Empty>
            ) : (
              <DataTable
                columns={[
                  'Lane',
                  'Tag',
                  'Priority',
                  'Entry apps',
                  'Conditions',
                  'Weight',
                  'Propagation',
                  'Fallback',
                  canWrite && 'Actions',
                ]}
              >
                {lanes.map((l) => (
                  <tr key={l.metadata.name} data-lane={l.metadata.name}>
                    <th scope="row">
                      <Link href={`/lanes/${enc(l.metadata.name)}`}>{l.metadata.name}</Link>
                    </th>
                    <td>
                      <TagBadge tag={l.spec.tag} />
                    </td>
                    <td>{l.spec.priority}</td>
                    <td>{l.spec.entry?.apps.join(', ') ?? <span className="muted">none</span>}</td>
                    <td className="summary">
                      {summarizeMatch(l.spec.entry?.match) || <span className="muted">—</span>}
                    </td>
                    <td>{l.spec.entry?.weight ? `${l.spec.entry.weight}%` : '—'}</td>
                    <td>{l.spec.propagation ? 'on' : 'off'}</td>
                    <td>{l.spec.fallback}</td>
                    {canWrite && (
                      <td>
                        <button type="button" className="link danger" onClick={() => remove(l.metadata.name)}>
                          Delete<span className="sr-only"> lane {l.metadata.name}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </DataTable>
            )}
            <RequestTester lanes={lanes} />
          </>
        )}
      </Async>
    </section>
  );
}

export function LaneEditPage(props: { name?: string }) {
  const { api, nsPath, session, canWrite } = useSession();
  const state = useLanes();
  const one = usePoll(
    () =>
      props.name
        ? api.get<Lane>(`${nsPath}/lanes/${enc(props.name)}`)
        : Promise.resolve(emptyLane(session.namespace)),
    0,
    [nsPath, props.name],
  );
  const title = props.name ? `Lane ${props.name}` : 'New lane';
  const notFound = one.error instanceof ApiError && one.error.status === 404;
  return (
    <section aria-labelledby="lane-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/lanes">Tag-based routing</Link> / <span>{props.name ?? 'new'}</span>
      </nav>
      <header className="page-head">
        <h1 id="lane-title">{title}</h1>
      </header>
      {!props.name && !canWrite ? (
        <ReadOnlyNote />
      ) : notFound ? (
        <Empty title={`No lane named ${props.name}`}>
          It may have been deleted. <Link href="/lanes">Back to the lanes</Link>.
        </Empty>
      ) : (
        <Async
          what="lane"
          data={one.data && state.data ? { lane: one.data, ...state.data } : undefined}
          error={one.error ?? state.error}
        >
          {(d) => (
            <LaneEditor
              key={d.lane.metadata.name}
              initial={d.lane as never}
              isNew={!props.name}
              others={d.lanes}
              knownApps={d.apps}
            />
          )}
        </Async>
      )}
    </section>
  );
}
