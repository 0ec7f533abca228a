import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  type ControlPlane,
  cacheDir,
  call,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

// What a Kubernetes Service that selects gray pods does: requests reach a gray
// instance directly, past every agent. The instance must notice and say so.
describe('lane leaks', () => {
  let cp: ControlPlane;
  let gray: Service;

  beforeAll(async () => {
    cp = await startControlPlane();
    gray = await startService({
      server: cp.url,
      namespace: 'leaks',
      cacheDir: cacheDir(),
      app: 'b',
      tag: 'gray',
      env: { GRAYLANE_METRICS_INTERVAL_MS: '200' },
    });
  });
  afterAll(async () => {
    await gray?.stop();
    await cp?.close();
  });

  it('are counted at the instance, shown on /metrics and the app, and logged once per tag', async () => {
    expect((await call(gray.http, '/chain', { 'x-graylane-tag': 'gray' })).text).toBe('b[gray]');
    for (let i = 0; i < 3; i++) await call(gray.http, '/chain');
    await call(gray.http, '/chain', { 'x-graylane-tag': 'blue' });
    await waitFor('the control plane counts 4 leaks', async () => {
      const text = await fetch(`${cp.url}/metrics`).then((r) => r.text());
      return text.includes('graylane_lane_leaks_total{namespace="leaks",app="b",tag="gray"} 4') || text;
    });
    const app = await fetch(`${cp.url}/v1/namespaces/leaks/apps/b`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }).then((r) => r.json() as Promise<{ laneLeaks: Record<string, number> }>);
    expect(app.laneLeaks).toEqual({ gray: 4 });
    const lines = gray
      .output()
      .split('\n')
      .filter((l) => l.includes('GL_LANE_LEAK'));
    expect(lines).toHaveLength(2); // one for untagged requests, one for "blue"
    expect(lines.join('\n')).toContain('tagged "blue"');
  });
});
