import { nameSchema } from '@graylane/core';
import { type FormEvent, useState } from 'react';
import { ApiError, enc } from '../api-client.js';
import { DataTable } from '../components/data-table.js';
import { Async, Empty, ErrorBox } from '../components/states.js';
import { useSession } from '../session.js';
import { usePoll } from '../use-poll.js';

type TokenRole = 'admin' | 'viewer' | 'agent';

interface TokenRecord {
  name: string;
  role: TokenRole;
  createdAt: number;
  apps?: string[];
  expiresAt?: number;
}

/** "a, b c" → ["a", "b", "c"]; blank → every app. */
const appList = (text: string) => text.split(/[\s,]+/).filter((a) => a !== '');

const roles: { role: TokenRole; what: string }[] = [
  { role: 'viewer', what: 'reads everything, changes nothing (people who watch)' },
  { role: 'agent', what: 'registers, heartbeats, watches and posts metrics (agents and gateways)' },
  { role: 'admin', what: 'changes everything, including tokens' },
];

/** Issued tokens: create one (shown once), revoke one. Only an admin gets here. */
export function TokensPage() {
  const { api, canWrite } = useSession();
  const state = usePoll(() => api.get<{ items: TokenRecord[] }>('/v1/tokens'), 0, []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<TokenRole>('viewer');
  const [apps, setApps] = useState('');
  const [expires, setExpires] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<{ apps?: string; expiresAt?: string }>({});
  const [error, setError] = useState<Error>();
  const [issued, setIssued] = useState<{ name: string; token: string }>();
  const [confirming, setConfirming] = useState<string>();

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setFieldErrors({});
    const check = nameSchema.safeParse(name);
    setNameError(check.success ? undefined : check.error.issues[0]?.message);
    if (!check.success) return;
    const scope = role === 'agent' ? appList(apps) : [];
    const body = {
      name,
      role,
      ...(scope.length > 0 ? { apps: scope } : {}),
      ...(expires ? { expiresAt: new Date(expires).getTime() } : {}),
    };
    try {
      const made = await api.post<{ name: string; token: string }>('/v1/tokens', body);
      setIssued(made);
      setName('');
      setApps('');
      setExpires('');
      state.reload();
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const at = (path: string) =>
        issues.find((i) => i.path === path || i.path.startsWith(`${path}.`))?.message;
      if (at('name') || at('apps') || at('expiresAt')) {
        setNameError(at('name'));
        setFieldErrors({ apps: at('apps'), expiresAt: at('expiresAt') });
      } else setError(err as Error);
    }
  }

  async function revoke(tokenName: string) {
    setError(undefined);
    try {
      await api.del(`/v1/tokens/${enc(tokenName)}`);
      setConfirming(undefined);
      if (issued?.name === tokenName) setIssued(undefined);
      state.reload();
    } catch (err) {
      setError(err as Error);
    }
  }

  if (!canWrite) return <Empty title="Only an admin token can see tokens." />;
  return (
    <section aria-labelledby="tokens-title">
      <header className="page-head">
        <h1 id="tokens-title">Tokens</h1>
      </header>
      <p className="sub">
        Who may use the control plane. The server keeps only a hash of each token: a new token is shown once.
      </p>
      <form className="panel" onSubmit={create} noValidate aria-label="New token">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="token-name">Token name</label>
            <input
              id="token-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'token-name-error' : 'token-name-hint'}
            />
            {nameError ? (
              <span className="field-error" id="token-name-error">
                {nameError}
              </span>
            ) : (
              <span className="hint" id="token-name-hint">
                Who or what uses it, e.g. ci-deploy or team-orders
              </span>
            )}
          </div>
          <div className="field">
            <label htmlFor="token-role">Role</label>
            <select
              id="token-role"
              value={role}
              onChange={(e) => setRole(e.target.value as TokenRole)}
              aria-describedby="token-role-hint"
            >
              {roles.map((r) => (
                <option key={r.role} value={r.role}>
                  {r.role}
                </option>
              ))}
            </select>
            <span className="hint" id="token-role-hint">
              {roles.find((r) => r.role === role)?.what}
            </span>
          </div>
          {role === 'agent' && (
            <div className="field">
              <label htmlFor="token-apps">Apps</label>
              <input
                id="token-apps"
                value={apps}
                onChange={(e) => setApps(e.target.value)}
                aria-invalid={fieldErrors.apps ? true : undefined}
                aria-describedby={fieldErrors.apps ? 'token-apps-error' : 'token-apps-hint'}
              />
              {fieldErrors.apps ? (
                <span className="field-error" id="token-apps-error">
                  {fieldErrors.apps}
                </span>
              ) : (
                <span className="hint" id="token-apps-hint">
                  The only apps it may register and report for, comma separated; blank for every app
                </span>
              )}
            </div>
          )}
          <div className="field">
            <label htmlFor="token-expires">Expires</label>
            <input
              id="token-expires"
              type="datetime-local"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              aria-invalid={fieldErrors.expiresAt ? true : undefined}
              aria-describedby={fieldErrors.expiresAt ? 'token-expires-error' : 'token-expires-hint'}
            />
            {fieldErrors.expiresAt ? (
              <span className="field-error" id="token-expires-error">
                {fieldErrors.expiresAt}
              </span>
            ) : (
              <span className="hint" id="token-expires-hint">
                Optional; blank never expires
              </span>
            )}
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Create token
          </button>
        </div>
      </form>
      {issued && (
        <div className="panel issued" role="status" aria-live="polite">
          <p>
            Token <strong>{issued.name}</strong>: copy it now, it is not shown again.
          </p>
          <output className="mono" data-testid="issued-token">
            {issued.token}
          </output>
          <div className="actions">
            <button type="button" onClick={() => setIssued(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      <Async what="tokens" {...state}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty title="No tokens" />
          ) : (
            <DataTable columns={['Name', 'Role', 'Apps', 'Created', 'Expires', 'Actions']}>
              {items.map((t) => (
                <tr key={t.name}>
                  <th scope="row">{t.name}</th>
                  <td>{t.role}</td>
                  <td>{t.role === 'agent' ? (t.apps?.join(', ') ?? 'every app') : ''}</td>
                  <td>{new Date(t.createdAt).toLocaleString()}</td>
                  <td>{t.expiresAt === undefined ? 'never' : new Date(t.expiresAt).toLocaleString()}</td>
                  <td>
                    {confirming === t.name ? (
                      <span className="inline">
                        Revoke {t.name}? Whatever uses it is refused at once.{' '}
                        <button type="button" className="link danger" onClick={() => revoke(t.name)}>
                          Yes, revoke<span className="sr-only"> token {t.name}</span>
                        </button>{' '}
                        <button type="button" className="link" onClick={() => setConfirming(undefined)}>
                          Keep it
                        </button>
                      </span>
                    ) : (
                      <button type="button" className="link danger" onClick={() => setConfirming(t.name)}>
                        Revoke<span className="sr-only"> token {t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Async>
    </section>
  );
}
