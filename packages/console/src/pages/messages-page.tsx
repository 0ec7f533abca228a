import { API_VERSION, type MessageGrayscale, messageGrayscaleSchema } from '@graylane/core';
import { useState } from 'react';
import { ApiError, enc } from '../api-client.js';
import { Async, Empty, ReadOnlyNote } from '../components/states.js';
import { TagBadge } from '../components/tag-badge.js';
import { useSession } from '../session.js';
import { formatQps } from '../trend-stats.js';
import type { AppSummary, Instance, MessageRates } from '../types.js';
import { usePoll } from '../use-poll.js';

type Spec = MessageGrayscale['spec'];
const RATE_WINDOW_SECONDS = 60;
const defaults: Spec = { enabled: true, filter: 'sql92', baselineIgnoredTags: [], auto: false };

function AppCard(props: {
  app: string;
  stored: MessageGrayscale | undefined;
  tags: string[];
  consumers: Instance[];
  rates: MessageRates['items'];
  onSaved: () => void;
}) {
  const { api, nsPath, canWrite, session } = useSession();
  const [spec, setSpec] = useState<Spec>(props.stored?.spec ?? { ...defaults, enabled: false });
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const dirty =
    JSON.stringify(spec) !== JSON.stringify(props.stored?.spec ?? { ...defaults, enabled: false });
  const tags = [...new Set([...props.tags.filter((t) => t !== ''), ...spec.baselineIgnoredTags])].sort();
  const id = `mg-${props.app}`;

  async function save() {
    const doc = {
      apiVersion: API_VERSION,
      kind: 'MessageGrayscale',
      metadata: { name: props.app, namespace: session.namespace },
      spec,
    };
    const check = messageGrayscaleSchema.safeParse(doc);
    if (!check.success) {
      setMessage({ ok: false, text: check.error.issues.map((i) => i.message).join('; ') });
      return;
    }
    try {
      await api.put(`${nsPath}/messagegrayscales/${enc(props.app)}`, doc);
      setMessage({ ok: true, text: 'Saved: agents apply it without a restart.' });
      props.onSaved();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError ? e.message : String(e) });
    }
  }

  // One row per group and broker, as the agents report them (`consumer-groups.<broker>`
  // metadata): a RocketMQ group and a Kafka group of the same name are two groups.
  const groups = new Map<string, { group: string; broker: string | undefined; byTag: Map<string, number> }>();
  for (const i of props.consumers) {
    const labelled = Object.entries(i.metadata ?? {})
      .filter(([key]) => key.startsWith('consumer-groups.'))
      .flatMap(([key, list]) =>
        list
          .split(',')
          .filter((group) => group !== '')
          .map((group) => ({ group, broker: key.slice('consumer-groups.'.length) as string | undefined })),
      );
    const named = new Set(labelled.map((l) => l.group));
    const unnamed = (i.consumerGroups ?? [])
      .filter((g) => !named.has(g))
      .map((group) => ({ group, broker: undefined }));
    for (const { group, broker } of [...labelled, ...unnamed]) {
      const key = `${group}\u0000${broker ?? ''}`;
      const row = groups.get(key) ?? { group, broker, byTag: new Map<string, number>() };
      row.byTag.set(i.tag, (row.byTag.get(i.tag) ?? 0) + 1);
      groups.set(key, row);
    }
  }
  const rows = [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, row]) => ({ key, ...row }));
  const brokerName: Record<string, string> = { kafka: 'Kafka', rocketmq: 'RocketMQ' };

  return (
    <article className="panel mq-card" aria-labelledby={`${id}-title`} data-app={props.app}>
      <header className="card-head">
        <h2 id={`${id}-title`}>{props.app}</h2>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            disabled={!canWrite}
            checked={spec.enabled}
            aria-checked={spec.enabled}
            onChange={(e) => setSpec({ ...spec, enabled: e.target.checked })}
          />
          Message grayscale {spec.enabled ? 'on' : 'off'}
        </label>
      </header>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-filter`}>Filter mode (RocketMQ; Kafka always filters in the client)</label>
          <select
            id={`${id}-filter`}
            disabled={!canWrite}
            value={spec.filter}
            onChange={(e) => setSpec({ ...spec, filter: e.target.value as 'sql92' })}
          >
            <option value="sql92">SQL92 on the broker (needs enablePropertyFilter)</option>
            <option value="client">client: the agent filters after receiving</option>
          </select>
        </div>
        <div className="field">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              disabled={!canWrite}
              checked={spec.auto}
              aria-checked={spec.auto}
              onChange={(e) => setSpec({ ...spec, auto: e.target.checked })}
            />
            Auto: the baseline ignores exactly the tags with a live consumer
          </label>
        </div>
      </div>
      <fieldset className="tags" disabled={!canWrite || spec.auto}>
        <legend>Tags the baseline ignores</legend>
        {tags.length === 0 && <span className="muted">no tagged instances yet</span>}
        {tags.map((t) => (
          <label key={t} className="check">
            <input
              type="checkbox"
              checked={spec.baselineIgnoredTags.includes(t)}
              onChange={(e) =>
                setSpec({
                  ...spec,
                  baselineIgnoredTags: e.target.checked
                    ? [...spec.baselineIgnoredTags, t].sort()
                    : spec.baselineIgnoredTags.filter((x) => x !== t),
                })
              }
            />
            <TagBadge tag={t} />
          </label>
        ))}
      </fieldset>
      <h3>Messages per second, by lane</h3>
      {props.rates.length === 0 ? (
        <p className="muted">No messages produced or consumed in the last minute.</p>
      ) : (
        <table className="mq-rates" data-testid="message-rates">
          <thead>
            <tr>
              <th scope="col">Lane</th>
              <th scope="col">System</th>
              <th scope="col">Produced/s</th>
              <th scope="col">Consumed/s</th>
            </tr>
          </thead>
          <tbody>
            {props.rates.map((r) => (
              <tr key={`${r.tag}-${r.system}`} data-tag={r.tag}>
                <td>
                  <TagBadge tag={r.tag} />
                </td>
                <td>{r.system}</td>
                <td>{formatQps(r.produced)}</td>
                <td>{formatQps(r.consumed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Live consumers</h3>
      {groups.size === 0 ? (
        <p className="muted">No instance of {props.app} reports a consumer group.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Consumer group</th>
              <th scope="col">Broker</th>
              <th scope="col">Instances per tag</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ key, group, broker, byTag }) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {group}
                </th>
                <td>
                  {broker === undefined ? (
                    <span className="muted">unknown</span>
                  ) : (
                    (brokerName[broker] ?? broker)
                  )}
                </td>
                <td>
                  {[...byTag].map(([t, n]) => (
                    <TagBadge key={t} tag={t} count={n} />
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && (
        <div className="actions">
          <button type="button" className="primary" disabled={!dirty} onClick={save}>
            Save
          </button>
          {message && (
            <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'field-error'}>
              {message.text}
            </span>
          )}
        </div>
      )}
    </article>
  );
}

export function MessagesPage() {
  const { api, nsPath, canWrite } = useSession();
  const state = usePoll(
    async () => {
      const [apps, mgs, instances, rates] = await Promise.all([
        api.get<{ items: AppSummary[] }>(`${nsPath}/apps`),
        api.get<{ items: MessageGrayscale[] }>(`${nsPath}/messagegrayscales`),
        api.get<{ items: Instance[] }>(`${nsPath}/instances`),
        api.get<MessageRates>(`${nsPath}/message-rates?windowSeconds=${RATE_WINDOW_SECONDS}`),
      ]);
      return { apps: apps.items, mgs: mgs.items, instances: instances.items, rates: rates.items };
    },
    5000,
    [nsPath],
  );
  return (
    <section aria-labelledby="mq-title">
      <header className="page-head">
        <h1 id="mq-title">Message grayscale</h1>
      </header>
      <p className="sub">
        Messages sent in a lane carry its tag (RocketMQ: the property <code>graylane_tag</code>; Kafka: the
        header <code>graylane-tag</code>); consumers of that tag get them, and the baseline can leave them
        alone.
      </p>
      {!canWrite && <ReadOnlyNote />}
      <Async what="message grayscale" {...state}>
        {({ apps, mgs, instances, rates }) => {
          // Only apps that take part in messaging: a live consumer group, messages in the
          // last minute, or a stored setting (so a configured app never disappears).
          const consuming = instances.filter((i) => (i.consumerGroups?.length ?? 0) > 0).map((i) => i.app);
          const names = [
            ...new Set([...consuming, ...rates.map((r) => r.app), ...mgs.map((m) => m.metadata.name)]),
          ].sort();
          if (names.length === 0)
            return (
              <Empty title="No app produces or consumes messages yet">
                Apps appear here once an instance with the agent starts a consumer or sends a message.
              </Empty>
            );
          return (
            <div className="cards">
              {names.map((n) => {
                const stored = mgs.find((m) => m.metadata.name === n);
                return (
                  <AppCard
                    key={n}
                    app={n}
                    stored={stored}
                    tags={Object.keys(apps.find((a) => a.name === n)?.instances ?? {})}
                    consumers={instances.filter((i) => i.app === n)}
                    rates={rates.filter((r) => r.app === n)}
                    onSaved={state.reload}
                  />
                );
              })}
            </div>
          );
        }}
      </Async>
    </section>
  );
}
