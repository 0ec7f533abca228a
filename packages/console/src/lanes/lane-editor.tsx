import { API_VERSION, type Lane, laneSchema, type MatchGroup } from '@graylane/core';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, enc, type Issue } from '../api-client.js';
import { Field, fieldId, IssueContext, type IssueContextValue } from '../components/field.js';
import { ReadOnlyNote } from '../components/states.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { GroupEditor, newCondition } from './condition-builder.js';
import { toIssueMap, validateLane } from './lane-issues.js';
import { RequestTester } from './request-tester.js';

type Draft = Lane & { metadata: { resourceVersion?: string } };

export function emptyLane(namespace: string): Draft {
  return {
    apiVersion: API_VERSION,
    kind: 'Lane',
    metadata: { name: '', namespace },
    spec: {
      tag: 'gray',
      priority: 0,
      entry: { apps: [], match: { all: [newCondition()] }, weight: 0 },
      propagation: true,
      fallback: 'baseline',
    },
  } as Draft;
}

// A field inside a condition stands for its whole condition: changing the operator shows
// what the new operator is missing (its values, its divisor) at once.
const scopeOf = (t: string) => (/\.(all|any)\.\d+\.\w+$/.test(t) ? t.slice(0, t.lastIndexOf('.')) : t);
const covers = (touched: ReadonlySet<string>, path: string) =>
  [...touched].map(scopeOf).some((t) => t === path || t.startsWith(`${path}.`) || path.startsWith(`${t}.`));

function AppsInput(props: {
  apps: string[];
  known: string[];
  onChange: (apps: string[]) => void;
  inputProps: object;
}) {
  const [text, setText] = useState(props.apps.join(', '));
  const set = (value: string) => {
    setText(value);
    props.onChange(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
  };
  const missing = props.known.filter((a) => !props.apps.includes(a));
  return (
    <>
      <input
        {...props.inputProps}
        value={text}
        placeholder="gateway, spring-cloud-a"
        onChange={(e) => set(e.target.value)}
      />
      {missing.length > 0 && (
        <span className="chips">
          {missing.slice(0, 8).map((a) => (
            <button key={a} type="button" className="chip" onClick={() => set([...props.apps, a].join(', '))}>
              + {a}
            </button>
          ))}
        </span>
      )}
    </>
  );
}

export function LaneEditor(props: { initial: Draft; isNew: boolean; others: Lane[]; knownApps: string[] }) {
  const { api, nsPath, canWrite } = useSession();
  const [doc, setDoc] = useState<Draft>(props.initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverIssues, setServerIssues] = useState<Issue[]>([]);
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const localIssues = useMemo(() => validateLane(doc), [doc]);
  const shown = useMemo(() => {
    const visible = submitted ? localIssues : localIssues.filter((i) => covers(touched, i.path));
    return toIssueMap([...visible, ...serverIssues]);
  }, [localIssues, serverIssues, submitted, touched]);
  const placed = new Set<string>();
  const ctx: IssueContextValue = { issues: shown, placed, disabled: !canWrite };

  const spec = doc.spec;
  const entry = spec.entry;
  const update = (patch: Partial<Draft['spec']>) => {
    setServerIssues([]);
    setDoc((d) => ({ ...d, spec: { ...d.spec, ...patch } }));
  };
  const updateEntry = (patch: Partial<NonNullable<Draft['spec']['entry']>>) =>
    update({ entry: { ...(entry ?? { apps: [], weight: 0 }), ...patch } });

  const tested = useMemo(() => {
    const parsed = laneSchema.safeParse(doc);
    const others = props.others.filter((l) => l.metadata.name !== doc.metadata.name);
    return parsed.success ? [...others, parsed.data] : others;
  }, [doc, props.others]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setFormError(undefined);
    if (localIssues.length > 0) {
      focusFirst(localIssues);
      return;
    }
    setSaving(true);
    try {
      const { resourceVersion, ...metadata } = doc.metadata;
      const body = { ...doc, metadata: props.isNew ? metadata : { ...metadata, resourceVersion } };
      await api.put(`${nsPath}/lanes/${enc(doc.metadata.name)}`, body);
      navigate('/lanes');
    } catch (error) {
      const err = error as ApiError;
      setServerIssues(err instanceof ApiError ? err.issues : []);
      setFormError(
        err instanceof ApiError && err.code === 'GL_CONFLICT'
          ? 'Someone changed this lane since you opened it. Reload to see their version, then edit again.'
          : err.message,
      );
      focusFirst(err instanceof ApiError ? err.issues : []);
    } finally {
      setSaving(false);
    }
  }

  // Where focus goes after a refused save: set here, applied once React has rendered the
  // error (the field named by the first issue, else the form's message).
  const [focusRequest, setFocusRequest] = useState<{ issues: Issue[] }>();
  useEffect(() => {
    if (focusRequest === undefined) return;
    const form = formRef.current;
    for (const i of focusRequest.issues) {
      const el = form?.querySelector<HTMLElement>(`#${CSS.escape(fieldId(i.path))}`);
      if (el) return el.focus();
    }
    // The form's own message first: it says what happened and what to do.
    (
      form?.querySelector<HTMLElement>('p.form-error') ?? form?.querySelector<HTMLElement>('.form-error')
    )?.focus();
  }, [focusRequest]);
  const focusFirst = (issues: Issue[]) => setFocusRequest({ issues });

  const body = (
    <form
      ref={formRef}
      className="lane-form"
      onSubmit={save}
      noValidate
      onChange={(e) => {
        const path = (e.target as HTMLElement).dataset.path;
        if (path && !touched.has(path)) setTouched(new Set([...touched, path]));
      }}
    >
      {!canWrite && <ReadOnlyNote />}
      <div className="form-grid">
        <Field
          path="metadata.name"
          label="Lane name"
          hint={props.isNew ? 'unique in the namespace' : 'names cannot change'}
        >
          {(f) => (
            <input
              {...f.inputProps}
              disabled={f.disabled || !props.isNew}
              value={doc.metadata.name}
              onChange={(e) => setDoc((d) => ({ ...d, metadata: { ...d.metadata, name: e.target.value } }))}
            />
          )}
        </Field>
        <Field path="spec.tag" label="Tag" hint="the instances' GRAYLANE_TAG">
          {(f) => (
            <input {...f.inputProps} value={spec.tag} onChange={(e) => update({ tag: e.target.value })} />
          )}
        </Field>
        <Field path="spec.priority" label="Priority" hint="higher is tried first">
          {(f) => (
            <input
              {...f.inputProps}
              type="number"
              value={String(spec.priority ?? '')}
              onChange={(e) =>
                update({ priority: e.target.value === '' ? (undefined as never) : Number(e.target.value) })
              }
            />
          )}
        </Field>
        <Field path="spec.fallback" label="Fallback" hint="when an app has no instance with the tag">
          {(f) => (
            <select
              {...f.inputProps}
              value={spec.fallback}
              onChange={(e) => update({ fallback: e.target.value as 'baseline' })}
            >
              <option value="baseline">baseline — use untagged instances</option>
              <option value="strict">strict — fail the call</option>
            </select>
          )}
        </Field>
        <div className="field">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              disabled={!canWrite}
              checked={spec.propagation}
              aria-checked={spec.propagation}
              onChange={(e) => update({ propagation: e.target.checked })}
            />
            Propagate the tag to the next hops
          </label>
        </div>
      </div>

      <fieldset className="entry">
        <legend>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              disabled={!canWrite}
              checked={entry !== undefined}
              aria-checked={entry !== undefined}
              onChange={(e) =>
                update({
                  entry: e.target.checked
                    ? { apps: [], match: { all: [newCondition()] }, weight: 0 }
                    : undefined,
                })
              }
            />
            Entry rule: colour untagged requests
          </label>
        </legend>
        {entry ? (
          <>
            <div className="form-grid">
              <Field
                path="spec.entry.apps"
                label="Entry apps"
                hint="comma separated; the gateway is the app gateway"
              >
                {(f) => (
                  <AppsInput
                    apps={entry.apps}
                    known={props.knownApps}
                    inputProps={f.inputProps}
                    onChange={(apps) => updateEntry({ apps })}
                  />
                )}
              </Field>
              <Field
                path="spec.entry.weight"
                label="Weight (%)"
                hint="share of matching traffic; 0 = conditions alone"
              >
                {(f) => (
                  <input
                    {...f.inputProps}
                    type="number"
                    min={0}
                    max={100}
                    value={String(entry.weight ?? '')}
                    onChange={(e) =>
                      updateEntry({
                        weight: e.target.value === '' ? (undefined as never) : Number(e.target.value),
                      })
                    }
                  />
                )}
              </Field>
              <Field
                path="spec.entry.weightKey.name"
                label="Sticky weight key"
                hint="header/cookie/query whose value keeps a user's answer"
              >
                {(f) => (
                  <span className="inline">
                    <select
                      aria-label="Weight key source"
                      disabled={f.disabled}
                      value={entry.weightKey?.source ?? ''}
                      onChange={(e) =>
                        updateEntry({
                          weightKey: e.target.value
                            ? { source: e.target.value as 'header', name: entry.weightKey?.name ?? '' }
                            : undefined,
                        })
                      }
                    >
                      <option value="">none (random)</option>
                      <option value="header">header</option>
                      <option value="cookie">cookie</option>
                      <option value="query">query</option>
                      <option value="metadata">gRPC metadata</option>
                    </select>
                    {entry.weightKey && (
                      <input
                        {...f.inputProps}
                        placeholder="x-user-id"
                        value={entry.weightKey.name ?? ''}
                        onChange={(e) =>
                          updateEntry({ weightKey: { ...entry.weightKey!, name: e.target.value } })
                        }
                      />
                    )}
                  </span>
                )}
              </Field>
            </div>
            <div className="match">
              <div className="match-head">
                <h3>Conditions</h3>
                {entry.match === undefined && canWrite && (
                  <button type="button" onClick={() => updateEntry({ match: { all: [newCondition()] } })}>
                    + Add conditions
                  </button>
                )}
                {entry.match !== undefined && canWrite && (
                  <button type="button" className="link" onClick={() => updateEntry({ match: undefined })}>
                    Remove all conditions (weight only)
                  </button>
                )}
              </div>
              {entry.match && (
                <GroupEditor
                  group={entry.match}
                  path="spec.entry.match"
                  onChange={(match: MatchGroup) => updateEntry({ match })}
                />
              )}
            </div>
          </>
        ) : (
          <p className="muted">
            Without an entry rule the lane only carries tags set elsewhere (a header, a message, another
            lane).
          </p>
        )}
      </fieldset>
      <Unplaced issues={shown} placed={placed} />
      {formError && (
        <p className="form-error" role="alert" tabIndex={-1}>
          {formError}
        </p>
      )}
      {canWrite && (
        <div className="actions">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : props.isNew ? 'Create lane' : 'Save lane'}
          </button>
          <button type="button" onClick={() => navigate('/lanes')}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );

  return (
    <IssueContext.Provider value={ctx}>
      <div className="editor-layout">
        {body}
        <RequestTester
          lanes={tested}
          note="Uses the lanes as stored, with this form in place of the saved version."
        />
      </div>
    </IssueContext.Provider>
  );
}

/** Rendered last, after every field registered its path: issues with no field of their own. */
function Unplaced(props: { issues: ReadonlyMap<string, string[]>; placed: Set<string> }) {
  const rest = [...props.issues].filter(([path]) => !props.placed.has(path));
  if (rest.length === 0) return null;
  return (
    <ul className="form-error" data-testid="other-issues" tabIndex={-1}>
      {rest.map(([path, messages]) => (
        <li key={path}>
          {path ? <code>{path}</code> : null} {messages.join('; ')}
        </li>
      ))}
    </ul>
  );
}
