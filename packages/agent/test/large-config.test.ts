import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

const namespace = 'large-config';
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

describe('agents after large documents', () => {
  let cp: ControlPlane;
  const services: Service[] = [];
  let entry: Service;

  beforeAll(async () => {
    cp = await startControlPlane();
    const base = { server: cp.url, namespace, cacheDir: cacheDir() };
    entry = await startService({ ...base, app: 'a', next: 'b' });
    services.push(
      entry,
      await startService({ ...base, app: 'b' }),
      await startService({ ...base, app: 'b', tag: 'gray' }),
    );
    await waitFor(
      'a reaches b',
      async () => (await call(entry.http, '/chain')).text === 'a[base] -> b[base]',
    );
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await cp?.close();
  });

  it('still receive a change applied after several large lanes', async () => {
    // Each close to the largest document a store keeps; together several megabytes of stream.
    const huge = 'y'.repeat(180_000);
    for (let i = 0; i < 12; i++) {
      const match = { all: [{ source: 'header', name: 'x-big', op: 'eq', value: `${i}${huge}` }] };
      await cp.apply(lane(namespace, { tag: `big${i}`, entry: { apps: ['a'], match } }, `big-${i}`));
    }
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await waitFor('the lane after the large ones routes', async () => {
      const text = (await call(entry.http, '/chain?name=xiaoming')).text;
      return text === 'a[base] -> b[gray]' || text;
    });
    expect((await call(entry.http, '/chain?name=other')).text).toBe('a[base] -> b[base]');
    expect(entry.output()).not.toContain('Error');
  });
});
