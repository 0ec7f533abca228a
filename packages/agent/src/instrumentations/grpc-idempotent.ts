import { patchMethod } from './patch-method.js';

/**
 * Paths of gRPC methods whose proto declares `option idempotency_level = IDEMPOTENT`
 * (or `NO_SIDE_EFFECTS`): a call to one that breaks before any answer may be sent
 * again to another instance. gRPC gives no other sign that a call is safe to repeat.
 */
export const idempotentPaths = new Set<string>();

interface MethodLike {
  path?: unknown;
  options?: { idempotency_level?: unknown };
}

/** Notes the idempotent methods of a package or service definition (proto-loader or generated code). */
export function noteIdempotent(definition: unknown): void {
  if (definition === null || typeof definition !== 'object') return;
  for (const value of Object.values(definition as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object') continue;
    const method = value as MethodLike;
    if (typeof method.path === 'string') {
      const level = method.options?.idempotency_level;
      if (level === 'IDEMPOTENT' || level === 'NO_SIDE_EFFECTS') idempotentPaths.add(method.path);
    } else if (!('format' in value)) {
      // A service definition inside a package definition: one level down.
      for (const m of Object.values(value as Record<string, MethodLike>)) {
        if (m === null || typeof m !== 'object' || typeof m.path !== 'string') continue;
        const level = m.options?.idempotency_level;
        if (level === 'IDEMPOTENT' || level === 'NO_SIDE_EFFECTS') idempotentPaths.add(m.path);
      }
    }
  }
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Reads method definitions as grpc-js turns them into clients. Patched in grpc-js's
 * `make-client` module: the package exports these functions as getters only.
 */
export function instrumentGrpcDefinitions(makeClient: Record<string, unknown>): () => void {
  const undo = (['loadPackageDefinition', 'makeClientConstructor'] as const).map((name) =>
    patchMethod(
      makeClient,
      name,
      (original) =>
        function (this: unknown, definition: unknown, ...rest: unknown[]) {
          try {
            noteIdempotent(definition);
          } catch {
            // a definition of an unexpected shape: its calls are simply not repeated
          }
          return (original as AnyFunction).call(this, definition, ...rest);
        },
    ),
  );
  return () => {
    for (const u of undo) u();
  };
}
