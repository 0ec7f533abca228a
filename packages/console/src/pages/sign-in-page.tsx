import { type FormEvent, useState } from 'react';
import { whoIs } from '../api-client.js';
import type { Session } from '../session.js';

export function SignInPage(props: { onSignIn: (session: Session) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (token.trim() === '') {
      setError(
        'paste a token: the admin token printed at the first start, or one from graylane token create',
      );
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const role = await whoIs(token.trim());
      props.onSignIn({ token: token.trim(), role, namespace: 'default' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">
          <span className="brand-mark" aria-hidden="true" /> Graylane
        </h1>
        <p>Sign in with a token. A viewer token can look at everything; an admin token can also change it.</p>
        {props.notice && <p className="note">{props.notice}</p>}
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          // biome-ignore lint/a11y/noAutofocus: the only thing to do on this page
          autoFocus
        />
        {error && (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
