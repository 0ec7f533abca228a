import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { type ApiClient, createApiClient, type Role } from './api-client.js';

export interface Session {
  token: string;
  role: Role;
  namespace: string;
}

// sessionStorage: a token stays in this tab only and is gone when it closes.
const KEY = 'graylane.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

interface SessionValue {
  session: Session;
  api: ApiClient;
  canWrite: boolean;
  /** `/v1/namespaces/<ns>` of the selected namespace. */
  nsPath: string;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider(props: { session: Session; onSignOut: () => void; children: ReactNode }) {
  const { session, onSignOut } = props;
  const value = useMemo<SessionValue>(
    () => ({
      session,
      api: createApiClient(session.token, onSignOut),
      canWrite: session.role === 'admin',
      nsPath: `/v1/namespaces/${encodeURIComponent(session.namespace)}`,
    }),
    [session, onSignOut],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
