import { DEFAULT_NAMESPACE } from '@graylane/core';

/** Flags every client command takes; each falls back to its environment variable. */
export const clientFlagSpec = {
  server: { type: 'string' },
  token: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const clientFlagsHelp = `  --server URL        control plane (env GRAYLANE_SERVER, default http://127.0.0.1:7070)
  --token T           bearer token (env GRAYLANE_TOKEN)
  -n, --namespace NS  namespace (env GRAYLANE_NAMESPACE, default "default")`;

export interface ClientSettings {
  server: string;
  token: string | undefined;
  namespace: string;
}

export function clientSettings(values: {
  server?: string;
  token?: string;
  namespace?: string;
}): ClientSettings {
  const env = process.env;
  return {
    server: (values.server ?? env.GRAYLANE_SERVER ?? 'http://127.0.0.1:7070').replace(/\/+$/, ''),
    token: values.token ?? (env.GRAYLANE_TOKEN || undefined),
    namespace: values.namespace ?? (env.GRAYLANE_NAMESPACE || DEFAULT_NAMESPACE),
  };
}
