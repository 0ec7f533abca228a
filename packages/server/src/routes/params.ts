import { GraylaneError, namespaceSchema, type ResourceKind } from '@graylane/core';

/** URL plural → kind, as in `/v1/namespaces/{ns}/lanes`. */
export const plurals: Record<string, ResourceKind> = {
  lanes: 'Lane',
  messagegrayscales: 'MessageGrayscale',
  gatewayroutes: 'GatewayRoute',
  rollouts: 'Rollout',
};

export function namespaceParam(params: Record<string, string>): string {
  const ns = params.ns ?? '';
  const result = namespaceSchema.safeParse(ns);
  if (!result.success) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      `namespace ${JSON.stringify(ns)} is not valid: ${result.error.issues[0]!.message}`,
    );
  }
  return ns;
}

/** A non-negative integer query parameter, or `fallback` when absent. */
export function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number | undefined,
  max = Number.MAX_SAFE_INTEGER,
) {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      `query parameter ${name}=${raw} must be an integer from 0 to ${max}`,
    );
  }
  return n;
}
