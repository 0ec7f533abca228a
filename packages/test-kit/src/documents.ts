/** A Lane document (kind Lane, graylane.io/v1). */
export function lane(namespace: string, spec: Record<string, unknown>, name = 'gray') {
  return { apiVersion: 'graylane.io/v1', kind: 'Lane', metadata: { name, namespace }, spec };
}

/** A GatewayRoute document. */
export function gatewayRoute(namespace: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'graylane.io/v1', kind: 'GatewayRoute', metadata: { name, namespace }, spec };
}
