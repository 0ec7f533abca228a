import { describe, expect, it } from 'vitest';
import { createPatch } from './create-patch.js';
import type { Pod } from './pod.js';

const pod = (): Pod => ({
  metadata: { name: 'orders-1', labels: { app: 'orders' } },
  spec: { containers: [{ name: 'app', image: 'orders:1' }] },
});

function tokenSecretOf(tokenSecret: string): unknown {
  const ops = createPatch(
    pod(),
    { app: 'orders', namespace: 'shop' },
    { server: 'http://cp', agentImage: 'a', tokenSecret },
  );
  const env = ops.find((op) => op.path === '/spec/containers/0/env')?.value as Array<{
    name: string;
    valueFrom?: { secretKeyRef?: { name: string } };
  }>;
  return env.find((e) => e.name === 'GRAYLANE_TOKEN')?.valueFrom?.secretKeyRef?.name;
}

describe('createPatch', () => {
  it('takes GRAYLANE_TOKEN from a Secret named after the app when the name holds {app}', () => {
    expect(tokenSecretOf('graylane-agent-{app}')).toBe('graylane-agent-orders');
    expect(tokenSecretOf('graylane-agent')).toBe('graylane-agent');
  });
});
