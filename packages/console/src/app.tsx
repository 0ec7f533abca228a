import { useCallback, useEffect, useState } from 'react';
import { Async } from './components/states.js';
import { AppPage } from './pages/app-page.js';
import { AppsPage } from './pages/apps-page.js';
import { AuditPage } from './pages/audit-page.js';
import { GatewayPage } from './pages/gateway-page.js';
import { LaneMapPage } from './pages/lane-map-page.js';
import { LaneEditPage, LanesPage } from './pages/lanes-page.js';
import { MessagesPage } from './pages/messages-page.js';
import { RolloutPage, RolloutsPage } from './pages/rollouts-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { TokensPage } from './pages/tokens-page.js';
import { Link, navigate, usePath } from './router.js';
import { loadSession, type Session, SessionProvider, saveSession, useSession } from './session.js';
import { usePoll } from './use-poll.js';

const nav = [
  { href: '/apps', label: 'Applications' },
  { href: '/lanes', label: 'Tag routing' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/lane-map', label: 'Lane map' },
  { href: '/messages', label: 'Message grayscale' },
  { href: '/gateway', label: 'Gateway routes' },
  { href: '/audit', label: 'Audit log' },
  { href: '/tokens', label: 'Tokens', adminOnly: true },
];

function Page(props: { path: string }) {
  const parts = props.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [section, name] = parts;
  if (section === 'apps' && name) return <AppPage app={name} />;
  if (section === 'lanes' && name === 'new') return <LaneEditPage />;
  if (section === 'lanes' && name) return <LaneEditPage name={name} />;
  if (section === 'lanes') return <LanesPage />;
  if (section === 'rollouts' && name) return <RolloutPage name={name} />;
  if (section === 'rollouts') return <RolloutsPage />;
  if (section === 'lane-map') return <LaneMapPage />;
  if (section === 'messages') return <MessagesPage />;
  if (section === 'gateway') return <GatewayPage />;
  if (section === 'audit') return <AuditPage />;
  if (section === 'tokens') return <TokensPage />;
  return <AppsPage />;
}

function NamespacePicker(props: { onChange: (ns: string) => void }) {
  const { api, session } = useSession();
  const state = usePoll(() => api.get<{ items: Array<{ name: string }> }>('/v1/namespaces'), 30000, []);
  return (
    <div className="ns">
      <label htmlFor="ns">Namespace</label>
      <Async what="namespaces" {...state}>
        {({ items }) => (
          <select id="ns" value={session.namespace} onChange={(e) => props.onChange(e.target.value)}>
            {items.map((n) => (
              <option key={n.name}>{n.name}</option>
            ))}
          </select>
        )}
      </Async>
    </div>
  );
}

function Shell(props: { session: Session; onNamespace: (ns: string) => void; onSignOut: () => void }) {
  const path = usePath();
  const section = `/${path.split('/')[1] ?? ''}`;
  useEffect(() => {
    const label = nav.find((n) => n.href === section)?.label ?? 'Applications';
    document.title = `${label} · Graylane`;
  }, [section]);
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="top">
        <Link href="/apps" className="brand">
          <span className="brand-mark" aria-hidden="true" /> Graylane
        </Link>
        <NamespacePicker onChange={props.onNamespace} />
        <span className={`role ${props.session.role}`} data-testid="role">
          {props.session.role}
        </span>
        <button type="button" className="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="side" aria-label="Main">
        <ul>
          {nav
            .filter((n) => !n.adminOnly || props.session.role === 'admin')
            .map((n) => (
              <li key={n.href}>
                <Link
                  href={n.href}
                  aria-current={
                    section === n.href || (section === '/' && n.href === '/apps') ? 'page' : undefined
                  }
                >
                  {n.label}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </div>
  );
}

export function App() {
  const [session, setSession] = useState(loadSession);
  const [notice, setNotice] = useState<string>();
  const change = useCallback((next: Session | undefined) => {
    saveSession(next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => change(undefined), [change]);
  const expired = useCallback(() => {
    setNotice('Your token is no longer accepted (revoked?). Sign in again.');
    change(undefined);
  }, [change]);
  if (!session) {
    return (
      <SignInPage
        notice={notice}
        onSignIn={(s) => {
          setNotice(undefined);
          change(s);
          if (location.pathname === '/') navigate('/apps', true);
        }}
      />
    );
  }
  return (
    <SessionProvider session={session} onSignOut={expired}>
      <Shell
        session={session}
        onSignOut={signOut}
        onNamespace={(namespace) => change({ ...session, namespace })}
      />
    </SessionProvider>
  );
}
