import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** Labels of a Namespace, or undefined when they cannot be read. */
export type NamespaceLabels = (namespace: string) => Promise<Record<string, string> | undefined>;

export interface NamespaceLabelsOptions {
  log: (line: string) => void;
  /** How long an answer (or a failure) is reused. */
  ttlMs?: number;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

/**
 * Reads Namespace labels from the Kubernetes API with the pod's service account
 * (in-cluster address and token from the standard places), cached briefly. Outside
 * a cluster it answers undefined and says so once.
 */
export function createNamespaceLabels(options: NamespaceLabelsOptions): NamespaceLabels {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? '/var/run/secrets/kubernetes.io/serviceaccount';
  const ttl = options.ttlMs ?? 30000;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  let ca: Buffer | undefined;
  try {
    ca = readFileSync(`${dir}/ca.crt`);
  } catch {}
  if (!host || ca === undefined) {
    options.log(
      'not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account): namespace labels are not read; ' +
        "the webhook's selectors decide and GRAYLANE_NAMESPACE is the pod label graylane.io/namespace or the Kubernetes namespace",
    );
    return async () => undefined;
  }
  const cache = new Map<string, { at: number; labels: Record<string, string> | undefined }>();
  return async (namespace) => {
    const hit = cache.get(namespace);
    if (hit && Date.now() - hit.at < ttl) return hit.labels;
    let labels: Record<string, string> | undefined;
    try {
      // The projected token rotates: read it each time.
      const token = readFileSync(`${dir}/token`, 'utf8').trim();
      const body = await get(
        host,
        port,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
        token,
        ca!,
        options.timeoutMs ?? 2000,
      );
      labels =
        (JSON.parse(body) as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {};
    } catch (error) {
      options.log(`cannot read the labels of namespace ${namespace}: ${(error as Error).message}`);
    }
    cache.set(namespace, { at: Date.now(), labels });
    return labels;
  };
}

function get(host: string, port: string, path: string, token: string, ca: Buffer, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        ca,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
