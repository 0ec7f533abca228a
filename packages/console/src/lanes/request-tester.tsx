import { compileLanes, createRequestView, type Lane } from '@graylane/core';
import { useId, useMemo, useState } from 'react';

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/**
 * "Which lane would this request take?", answered in the browser with core's own
 * compiler and request view: the same code the agent and the gateway run.
 */
export function RequestTester(props: { lanes: Lane[]; note?: string }) {
  const uid = useId();
  const apps = useMemo(
    () => [...new Set(props.lanes.flatMap((l) => l.spec.entry?.apps ?? []))].sort(),
    [props.lanes],
  );
  const [app, setApp] = useState('');
  const [method, setMethod] = useState('GET');
  const [url, setUrl] = useState('/A/dubbo?name=xiaoming');
  const [headers, setHeaders] = useState('host: example.com\n');
  const entryApp = apps.includes(app) ? app : (apps[0] ?? '');

  const result = useMemo(() => {
    if (!entryApp) return undefined;
    const h = parseHeaders(headers);
    const tagged = h['x-graylane-tag'];
    if (tagged) return { kind: 'tagged' as const, tag: tagged };
    const target = url.startsWith('/') ? url : `/${url}`;
    const decision = compileLanes(
      props.lanes,
      entryApp,
    )(createRequestView({ method, url: target, headers: h }));
    return decision ? { kind: 'lane' as const, ...decision } : { kind: 'none' as const };
  }, [props.lanes, entryApp, method, url, headers]);

  const weighted = props.lanes.some((l) => (l.spec.entry?.weight ?? 0) > 0 && !l.spec.entry?.weightKey);

  return (
    <section className="panel tester" aria-labelledby={`${uid}-title`}>
      <h2 id={`${uid}-title`}>Test a request</h2>
      {props.note && <p className="note">{props.note}</p>}
      {apps.length === 0 ? (
        <p className="muted">
          No lane has entry apps yet: a request is only coloured where a lane has an entry rule.
        </p>
      ) : (
        <div className="tester-grid">
          <label htmlFor={`${uid}-app`}>Arrives at app</label>
          <select id={`${uid}-app`} value={entryApp} onChange={(e) => setApp(e.target.value)}>
            {apps.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
          <label htmlFor={`${uid}-method`}>Method</label>
          <select id={`${uid}-method`} value={method} onChange={(e) => setMethod(e.target.value)}>
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <label htmlFor={`${uid}-url`}>Path and query</label>
          <input id={`${uid}-url`} className="mono" value={url} onChange={(e) => setUrl(e.target.value)} />
          <label htmlFor={`${uid}-headers`}>Headers (one per line; cookies as cookie: a=1; b=2)</label>
          <textarea
            id={`${uid}-headers`}
            className="mono"
            rows={3}
            value={headers}
            onChange={(e) => setHeaders(e.target.value)}
          />
        </div>
      )}
      {result && (
        <output className={`verdict ${result.kind}`} data-testid="tester-result" aria-live="polite">
          {result.kind === 'lane' && (
            <>
              Takes lane <strong>{result.lane}</strong> → tag <strong>{result.tag}</strong>
            </>
          )}
          {result.kind === 'none' && (
            <>
              No lane matches: the request stays on the <strong>baseline</strong>
            </>
          )}
          {result.kind === 'tagged' && (
            <>
              Already tagged <strong>{result.tag}</strong>: lanes are not evaluated again
            </>
          )}
        </output>
      )}
      {weighted && (
        <p className="hint">Lanes with a weight and no weight key draw at random: the answer can vary.</p>
      )}
    </section>
  );
}
