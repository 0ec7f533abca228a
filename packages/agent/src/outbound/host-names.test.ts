import type { Instance } from '@graylane/core/runtime';
import { describe, expect, it } from 'vitest';
import { hostNames, normalizeHost } from './host-names.js';

const instance = (app: string, metadata?: Record<string, string>): Instance => ({
  id: `${app}-1`,
  app,
  namespace: 'default',
  tag: '',
  address: '10.0.0.1',
  ports: { http: 80 },
  lastHeartbeat: 0,
  ...(metadata ? { metadata } : {}),
});

describe('hostNames', () => {
  const names = hostNames(
    new Map([
      ['svc-b', [instance('svc-b', { serviceNames: 'backend,Orders' })]],
      ['backend', [instance('backend')]],
    ]),
    { k8sNamespace: 'shop', clusterDomain: 'cluster.local' },
  );

  it('reaches an app by its bare, namespaced and fully qualified Kubernetes names', () => {
    for (const host of ['svc-b', 'svc-b.shop', 'svc-b.shop.svc', 'svc-b.shop.svc.cluster.local'])
      expect(names.get(host)).toBe('svc-b');
    expect(names.get('svc-b.other')).toBeUndefined();
  });

  it('reaches an app by the extra names it declares, an app of that name winning', () => {
    expect(names.get('orders.shop.svc.cluster.local')).toBe('svc-b');
    expect(names.get('backend')).toBe('backend');
  });

  it('looks hosts up without case, trailing dot or IPv6 brackets', () => {
    expect(normalizeHost('SVC-B.shop.svc.cluster.local.')).toBe('svc-b.shop.svc.cluster.local');
    expect(normalizeHost('[::1]')).toBe('::1');
  });
});
