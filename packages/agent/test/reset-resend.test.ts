import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  type ServiceOptions,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

// The gray C resets every kept-alive connection it is asked to reuse, as a crashed
// instance does to a client that reuses an idle connection to it. B's GET is
// idempotent, so the agent resends it to the baseline C and B's app never sees the
// reset, whichever client B calls with. axios listens for errors on the pooled
// socket itself and fails its request there unless the agent's resend comes first.
const callers: Record<string, Partial<ServiceOptions>> = {
  'node:http': { transport: 'http' },
  fetch: { transport: 'fetch' },
  axios: { script: 'frameworks/app.mjs', env: { INBOUND: 'express', OUTBOUND: 'axios' } },
};

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe.each(Object.keys(callers))('a reset on a reused connection, with %s', (caller) => {
  const namespace = `reset-${caller.replace(/[^a-z]/g, '')}`;
  const services: Service[] = [];
  let b: Service;

  beforeAll(async () => {
    const options = { server: cp.url, namespace, cacheDir: cacheDir() };
    await cp.apply(lane(namespace, { tag: 'gray', fallback: 'baseline' }));
    const started = await Promise.all([
      startService({ ...options, ...callers[caller], app: 'b', next: 'c' }),
      startService({ ...options, app: 'c' }),
      startService({ ...options, app: 'c', tag: 'gray', env: { RESET_REUSED: '1' } }),
    ]);
    services.push(...started);
    b = started[0];
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('is resent to the baseline, and the app gets an answer every time', async () => {
    const tagged = () => call(b.http, '/chain', { 'x-graylane-tag': 'gray' });
    await waitFor('tagged requests reach the gray C', async () => {
      const { text } = await tagged();
      return text === 'b[base] -> c[gray]' || text;
    });
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { status, text } = await tagged();
      answers.push(`${status} ${text}`);
    }
    expect(
      answers.filter((a) => !a.startsWith('200 ')),
      answers.join('; '),
    ).toEqual([]);
    expect(answers).toContain('200 b[base] -> c[base]');
  });
});
