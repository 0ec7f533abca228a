/** What `graylane demo` applies: the route of the gateway, the lane and message grayscale. */
export const demoRoute = `apiVersion: graylane.io/v1
kind: GatewayRoute
metadata: { name: a, namespace: default }
spec: { match: { pathPrefix: /A }, app: spring-cloud-a, stripPrefix: false, timeoutMs: 10000, retries: 1 }
`;

export const demoLane = `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray, namespace: default }
spec:
  tag: gray
  priority: 100
  entry:
    apps: [gateway]
    match:
      all:
        - { source: query, name: name, op: eq, value: xiaoming }
  propagation: true
  fallback: baseline
`;

/** Message grayscale on the producer (C) and the consumer (A), as MSE requires both. */
export function demoMessageGrayscale(ignored: string[]): string {
  return ['spring-cloud-a', 'spring-cloud-c']
    .map(
      (app) => `apiVersion: graylane.io/v1
kind: MessageGrayscale
metadata: { name: ${app}, namespace: default }
spec: { enabled: true, filter: sql92, baselineIgnoredTags: [${ignored.join(', ')}], auto: false }
`,
    )
    .join('---\n');
}
