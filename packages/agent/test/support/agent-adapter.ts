import { fileURLToPath } from 'node:url';
import { type HopAdapter, type HopAnswer, startService } from '@graylane/test-kit';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface CallerApp {
  /** A fixture under packages/agent/test/fixtures (default: the kit's hop service). */
  script?: string;
  module?: 'esm' | 'cjs';
  /** Environment of the caller, e.g. CLIENT for the kit's hop service, INBOUND/OUTBOUND for frameworks. */
  env: Record<string, string>;
}

/**
 * A hop adapter of the agent: the caller is a plain app under the agent that answers
 * `GET /hop?to=HOST` by calling HOST (the kit's hop service, or a framework fixture).
 */
export function agentAdapter(
  name: string,
  app: CallerApp,
  more: Pick<HopAdapter, 'tls' | 'port' | 'protocol'>,
): HopAdapter {
  return {
    name,
    hostNames: true,
    ...more,
    async start({ cp, namespace, node, callerEnv }) {
      const a = await startService({
        app: 'a',
        server: cp.url,
        namespace,
        ...(app.script ? { script: `${fixtures}${app.script}`, cwd: fixtures } : {}),
        ...(app.module ? { module: app.module } : {}),
        ...(node ? { node } : {}),
        readyTimeoutMs: 60_000,
        env: { ...callerEnv, ...app.env },
      });
      return {
        async call(to, headers = {}): Promise<HopAnswer> {
          const res = await fetch(`http://127.0.0.1:${a.http}/hop?to=${encodeURIComponent(to)}`, { headers });
          const body = (await res.json()) as { next?: HopAnswer; error?: string };
          return { status: res.status, ...(body.next ?? {}), ...(body.error ? { error: body.error } : {}) };
        },
        close: () => a.stop(),
      };
    },
  };
}
