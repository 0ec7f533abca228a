import { API_VERSION, type GatewayRoute, gatewayRouteSchema } from '@graylane/core';
import { type FormEvent, useState } from 'react';
import { ApiError, enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { Async, Empty, ErrorBox, ReadOnlyNote } from '../components/states.js';
import { useSession } from '../session.js';
import { usePoll } from '../use-poll.js';

interface Draft {
  name: string;
  kind: 'pathPrefix' | 'path';
  match: string;
  app: string;
  stripPrefix: boolean;
  timeoutMs: string;
  retries: string;
}

const blank: Draft = {
  name: '',
  kind: 'pathPrefix',
  match: '/',
  app: '',
  stripPrefix: false,
  timeoutMs: '10000',
  retries: '1',
};

function RouteForm(props: { initial: Draft; isNew: boolean; onDone: () => void }) {
  const { api, nsPath, session } = useSession();
  const [d, setD] = useState(props.initial);
  const [issues, setIssues] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string>();
  const doc = {
    apiVersion: API_VERSION,
    kind: 'GatewayRoute',
    metadata: { name: d.name, namespace: session.namespace },
    spec: {
      match: { [d.kind]: d.match },
      app: d.app,
      stripPrefix: d.stripPrefix,
      timeoutMs: Number(d.timeoutMs),
      retries: Number(d.retries),
    },
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const check = gatewayRouteSchema.safeParse(doc);
    const found = new Map<string, string>();
    if (!check.success) for (const i of check.error.issues) found.set(i.path.join('.'), i.message);
    setIssues(found);
    if (found.size > 0) return;
    try {
      await api.put(`${nsPath}/gatewayroutes/${enc(d.name)}`, doc);
      props.onDone();
    } catch (err) {
      if (err instanceof ApiError) setIssues(new Map(err.issues.map((i) => [i.path, i.message])));
      setError((err as Error).message);
    }
  }
  const err = (path: string) => {
    const m = [...issues].find(([p]) => p === path || p.startsWith(`${path}.`))?.[1];
    return m ? (
      <span className="field-error" id={`gw-${path}-error`}>
        {m}
      </span>
    ) : null;
  };
  const aria = (path: string) => ({
    'aria-invalid': err(path) ? true : undefined,
    'aria-describedby': err(path) ? `gw-${path}-error` : undefined,
  });
  return (
    <form
      className="panel"
      onSubmit={submit}
      noValidate
      aria-label={props.isNew ? 'New gateway route' : `Edit route ${d.name}`}
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="gw-name">Route name</label>
          <input
            id="gw-name"
            disabled={!props.isNew}
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.target.value })}
            {...aria('metadata.name')}
          />
          {err('metadata.name')}
        </div>
        <div className="field">
          <label htmlFor="gw-match">Match</label>
          <span className="inline">
            <select
              aria-label="Match kind"
              value={d.kind}
              onChange={(e) => setD({ ...d, kind: e.target.value as 'path' })}
            >
              <option value="pathPrefix">path prefix</option>
              <option value="path">exact path</option>
            </select>
            <input
              id="gw-match"
              className="mono"
              value={d.match}
              onChange={(e) => setD({ ...d, match: e.target.value })}
              {...aria('spec.match')}
            />
          </span>
          {err('spec.match')}
        </div>
        <div className="field">
          <label htmlFor="gw-app">App</label>
          <input
            id="gw-app"
            value={d.app}
            onChange={(e) => setD({ ...d, app: e.target.value })}
            {...aria('spec.app')}
          />
          {err('spec.app')}
        </div>
        <div className="field">
          <label htmlFor="gw-timeout">Timeout (ms)</label>
          <input
            id="gw-timeout"
            type="number"
            value={d.timeoutMs}
            onChange={(e) => setD({ ...d, timeoutMs: e.target.value })}
            {...aria('spec.timeoutMs')}
          />
          {err('spec.timeoutMs')}
        </div>
        <div className="field">
          <label htmlFor="gw-retries">Retries (connection failures)</label>
          <input
            id="gw-retries"
            type="number"
            value={d.retries}
            onChange={(e) => setD({ ...d, retries: e.target.value })}
            {...aria('spec.retries')}
          />
          {err('spec.retries')}
        </div>
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={d.stripPrefix}
              onChange={(e) => setD({ ...d, stripPrefix: e.target.checked })}
            />
            Strip the prefix before forwarding
          </label>
        </div>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          {props.isNew ? 'Create route' : 'Save route'}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function toDraft(r: GatewayRoute): Draft {
  const kind = r.spec.match.path !== undefined ? 'path' : 'pathPrefix';
  return {
    name: r.metadata.name,
    kind,
    match: (kind === 'path' ? r.spec.match.path : r.spec.match.pathPrefix) ?? '',
    app: r.spec.app,
    stripPrefix: r.spec.stripPrefix,
    timeoutMs: String(r.spec.timeoutMs),
    retries: String(r.spec.retries),
  };
}

export function GatewayPage() {
  const { api, nsPath, canWrite } = useSession();
  const state = usePoll(() => api.get<{ items: GatewayRoute[] }>(`${nsPath}/gatewayroutes`), 0, [nsPath]);
  const [editing, setEditing] = useState<{ draft: Draft; isNew: boolean }>();
  const [error, setError] = useState<Error>();
  const done = () => {
    setEditing(undefined);
    state.reload();
  };
  async function remove(name: string) {
    if (!window.confirm(`Delete gateway route "${name}"?`)) return;
    try {
      await api.del(`${nsPath}/gatewayroutes/${enc(name)}`);
      state.reload();
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <section aria-labelledby="gw-title">
      <header className="page-head">
        <h1 id="gw-title">Gateway routes</h1>
        {canWrite && !editing && (
          <button type="button" className="primary" onClick={() => setEditing({ draft: blank, isNew: true })}>
            New route
          </button>
        )}
      </header>
      <p className="sub">
        Paths the gateway forwards to apps; lanes with the entry app gateway colour the requests there.
      </p>
      {!canWrite && <ReadOnlyNote />}
      {error && <ErrorBox error={error} />}
      {editing && <RouteForm initial={editing.draft} isNew={editing.isNew} onDone={done} />}
      <Async what="gateway routes" {...state}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty title="No gateway routes">
              {canWrite ? 'Add one to send a path prefix such as /A to an app.' : 'An admin can add routes.'}
            </Empty>
          ) : (
            <DataTable
              columns={['Route', 'Match', 'App', 'Strip prefix', 'Timeout', 'Retries', canWrite && 'Actions']}
            >
              {items.map((r) => (
                <tr key={r.metadata.name}>
                  <th scope="row">{r.metadata.name}</th>
                  <td className="mono">{r.spec.match.path ?? `${r.spec.match.pathPrefix}*`}</td>
                  <td>{r.spec.app}</td>
                  <td>{r.spec.stripPrefix ? 'yes' : 'no'}</td>
                  <td>{r.spec.timeoutMs} ms</td>
                  <td>{r.spec.retries}</td>
                  {canWrite && (
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => setEditing({ draft: toDraft(r), isNew: false })}
                      >
                        Edit<span className="sr-only"> route {r.metadata.name}</span>
                      </button>{' '}
                      <button type="button" className="link danger" onClick={() => remove(r.metadata.name)}>
                        Delete<span className="sr-only"> route {r.metadata.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
          )
        }
      </Async>
    </section>
  );
}
