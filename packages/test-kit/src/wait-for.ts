import type { ControlPlane } from './control-plane.js';

/** Polls `check` every 100 ms until it returns true; the last value it returned is in the error. */
export async function waitFor(
  what: string,
  check: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    last = await check().catch((e) => String(e));
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: still not true after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

export interface Routable {
  namespace: string;
  app: string;
  /** '' (default): baseline. */
  tag?: string;
  /** The port the instance must have registered (default http). */
  protocol?: 'http' | 'grpc';
  /** How many such instances (default 1). */
  count?: number;
}

/**
 * Waits until the registry holds `count` instances of the app and tag with the
 * protocol's port; agents get the change pushed within milliseconds of that.
 */
export async function waitUntilRoutable(cp: ControlPlane, what: Routable, timeoutMs = 15_000): Promise<void> {
  const { namespace, app, tag = '', protocol = 'http', count = 1 } = what;
  await waitFor(
    `${app}[${tag || 'base'}] routable over ${protocol} in ${namespace}`,
    async () => {
      const list = await cp.instances(namespace, app);
      const ready = list.filter((i) => i.tag === tag && i.ports[protocol] !== undefined);
      return ready.length >= count || list;
    },
    timeoutMs,
  );
}
