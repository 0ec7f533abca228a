import Module from 'node:module';

const patched = Symbol.for('graylane.patched');
type Exports = Record<string, unknown>;
type HookFn = (namespace: Exports, name: string) => void;
type IitmHook = (modules: string[], hookFn: HookFn) => { unhook(): void };

/** Whether a function, or one it wraps (shimmer's `__original`), is the agent's. */
function includesAgent(fn: unknown): boolean {
  for (let f = fn as { [patched]?: boolean; __original?: unknown } | undefined, i = 0; f && i < 8; i++) {
    if (f[patched]) return true;
    f = f.__original as typeof f;
  }
  return false;
}

/**
 * Reaches the copies of builtin exports that import-in-the-middle (OpenTelemetry's ESM
 * hook) made before the agent started. Preloaded ahead of the agent, it copies
 * node:http's exports into its own module the first time anything imports node:http
 * through ESM; an app's `import { request } from 'node:http'` then gets that copy,
 * which the agent's patch of the module object never reaches. Its own Hook API writes
 * through to those copies, so the agent patches each one there — unless the copy was
 * made after the agent's patch and already holds it.
 */
export function patchEsmCopies(
  builtins: string[],
  patch: (name: string, exports: Exports) => void,
): () => void {
  const cache = (Module as unknown as { _cache: Record<string, { exports: unknown } | undefined> })._cache;
  const hooks: Array<{ unhook(): void }> = [];
  for (const [file, loaded] of Object.entries(cache)) {
    if (!file.replaceAll('\\', '/').endsWith('/import-in-the-middle/index.js')) continue;
    const Hook = (loaded?.exports as { Hook?: IitmHook } | undefined)?.Hook;
    if (typeof Hook !== 'function') continue;
    hooks.push(
      Hook(builtins, (namespace, name) => {
        if (!includesAgent(namespace.request)) patch(name, namespace);
      }),
    );
  }
  return () => {
    for (const h of hooks) h.unhook();
  };
}
