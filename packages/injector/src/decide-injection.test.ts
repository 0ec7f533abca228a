import { describe, expect, it } from 'vitest';
import { decideInjection } from './decide-injection.js';

const pod = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app' }] },
});

describe('decideInjection', () => {
  it('injects every pod of a namespace labelled graylane.io/inject=enabled', () => {
    expect(decideInjection(pod({ app: 'a' }), 'shop', { 'graylane.io/inject': 'enabled' })).toMatchObject({
      inject: true,
      app: 'a',
      namespace: 'shop',
    });
  });

  it('skips a pod of a namespace that is not onboarded unless the pod opts in', () => {
    expect(decideInjection(pod({ app: 'a' }), 'shop', {})).toMatchObject({ inject: false });
    expect(decideInjection(pod({ app: 'a', 'graylane.io/inject': 'true' }), 'shop', {})).toMatchObject({
      inject: true,
    });
  });

  it('lets a pod opt out of an onboarded namespace', () => {
    const d = decideInjection(pod({ app: 'a', 'graylane.io/inject': 'false' }), 'shop', {
      'graylane.io/inject': 'enabled',
    });
    expect(d).toMatchObject({ inject: false });
  });

  it('takes the governance namespace from the pod label, then the Namespace label, then the Kubernetes namespace', () => {
    const ns = { 'graylane.io/inject': 'enabled', 'graylane.io/namespace': 'team-a' };
    expect(decideInjection(pod({ app: 'a', 'graylane.io/namespace': 'team-b' }), 'shop', ns)).toMatchObject({
      namespace: 'team-b',
    });
    expect(decideInjection(pod({ app: 'a' }), 'shop', ns)).toMatchObject({ namespace: 'team-a' });
    expect(decideInjection(pod({ app: 'a' }), 'shop', { 'graylane.io/inject': 'enabled' })).toMatchObject({
      namespace: 'shop',
      notes: [],
    });
  });

  it('prefers graylane.io/app over app over app.kubernetes.io/name', () => {
    const all = {
      'graylane.io/app': 'x',
      app: 'y',
      'app.kubernetes.io/name': 'z',
      'graylane.io/inject': 'true',
    };
    expect(decideInjection(pod(all), 'shop', {})).toMatchObject({ app: 'x' });
    expect(decideInjection(pod({ ...all, 'graylane.io/app': '' }), 'shop', {})).toMatchObject({ app: 'y' });
  });
});
