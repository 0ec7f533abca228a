import type { Instance } from '@graylane/core/runtime';

export interface NameScope {
  /** The Kubernetes namespace of the calling pod. */
  k8sNamespace: string;
  clusterDomain: string;
}

/**
 * Every host name that reaches an app, as people write them in Kubernetes: `<app>`,
 * `<app>.<ns>`, `<app>.<ns>.svc`, `<app>.<ns>.svc.<cluster-domain>`, and the same
 * forms of each extra name an instance declares (GRAYLANE_SERVICE_NAMES, carried in
 * its registration as `metadata.serviceNames`). An app's own name wins over another
 * app's declared name.
 */
export function hostNames(
  instances: ReadonlyMap<string, readonly Instance[]>,
  scope: NameScope,
): Map<string, string> {
  const names = new Map<string, string>();
  const forms = (name: string) => {
    const ns = `${name}.${scope.k8sNamespace}`;
    return [name, ns, `${ns}.svc`, `${ns}.svc.${scope.clusterDomain}`];
  };
  for (const [app, list] of instances) {
    for (const i of list) {
      for (const extra of (i.metadata?.serviceNames ?? '').split(',')) {
        const name = extra.trim().toLowerCase();
        if (name !== '') for (const form of forms(name)) names.set(form, app);
      }
    }
  }
  for (const app of instances.keys()) for (const form of forms(app)) names.set(form, app);
  return names;
}

/** A URL or gRPC host as a name lookup key: lower case, no trailing dot, no IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host;
  if (h.startsWith('[')) h = h.slice(1, h.indexOf(']'));
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}
