import { Fragment, useState } from 'react';
import { diffDocuments } from '../audit-diff.js';
import { Async, Empty } from '../components/states.js';
import { useSession } from '../session.js';
import type { AuditEntry } from '../types.js';
import { usePoll } from '../use-poll.js';

function Diff(props: { entry: AuditEntry }) {
  const [all, setAll] = useState(false);
  const rows = diffDocuments(props.entry.before, props.entry.after);
  const shown = all ? rows : rows.filter((r) => r.change !== 'same');
  return (
    <div className="diff" data-testid="audit-diff">
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.path} className={r.change}>
              <th scope="row" className="mono">
                {r.path}
              </th>
              <td className="mono before">{r.before ?? ''}</td>
              <td className="mono after">{r.after ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="muted">No field changed.</p>}
      <label className="check">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> show unchanged
        fields too
      </label>
    </div>
  );
}

export function AuditPage() {
  const { api, session } = useSession();
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<Set<string>>(new Set());
  const state = usePoll(
    () =>
      api.get<{ items: AuditEntry[] }>(
        `/v1/audit?namespace=${encodeURIComponent(session.namespace)}&limit=300`,
      ),
    10000,
    [session.namespace],
  );
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <section aria-labelledby="audit-title">
      <header className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <div className="field inline">
          <label htmlFor="audit-filter">Filter</label>
          <input
            id="audit-filter"
            type="search"
            placeholder="actor, action, kind or name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
      </header>
      <p className="sub">Who changed what in namespace {session.namespace}, newest first.</p>
      <Async what="audit log" {...state}>
        {({ items }) => {
          const q = filter.trim().toLowerCase();
          const list = q
            ? items.filter((i) => `${i.actor} ${i.action} ${i.kind} ${i.name}`.toLowerCase().includes(q))
            : items;
          if (list.length === 0) return <Empty title={q ? 'Nothing matches the filter' : 'No changes yet'} />;
          return (
            <div className="table-wrap">
              <table className="audit">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">What</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((i) => {
                    const id = String(i.id);
                    const expanded = open.has(id);
                    return (
                      <Fragment key={id}>
                        <tr data-audit={`${i.kind}/${i.name}`}>
                          <td>
                            <time dateTime={new Date(i.at).toISOString()}>
                              {new Date(i.at).toLocaleString()}
                            </time>
                          </td>
                          <td>{i.actor}</td>
                          <td>
                            <span className={`action ${i.action}`}>{i.action}</span>
                          </td>
                          <td>
                            {i.kind}/<strong>{i.name}</strong>
                          </td>
                          <td>
                            <button
                              type="button"
                              className="link"
                              aria-expanded={expanded}
                              aria-controls={`diff-${id}`}
                              onClick={() => toggle(id)}
                            >
                              {expanded ? 'Hide diff' : 'Show diff'}
                            </button>
                          </td>
                        </tr>
                        {expanded && (
                          <tr id={`diff-${id}`} className="diff-row">
                            <td colSpan={5}>
                              <Diff entry={i} />
                            </td>
                          </tr>
                        )}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
    </section>
  );
}
