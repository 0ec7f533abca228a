import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

describe('when the control plane goes away', () => {
  let cp: ControlPlane;
  const services: Service[] = [];
  let options: Omit<ServiceOptions, 'app'>;
  const start = async (app: string, tag: string, next?: string) => {
    const s = await startService({ ...options, app, tag, next });
    services.push(s);
    return s;
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    options = { server: cp.url, namespace: 'outage', cacheDir: cacheDir() };
    await cp.apply(lane('outage', { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    await Promise.all([start('b', '', 'c'), start('b', 'gray', 'c'), start('c', ''), start('c', 'gray')]);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await cp.close().catch(() => {});
  });

  it('routing continues, and continues after a service restart, from the disk cache', async () => {
    let a = await start('a', '', 'b');
    await waitFor(
      'the lane works',
      async () => (await call(a.http, '/chain?name=xiaoming')).text === 'a[base] -> b[gray] -> c[gray]',
    );
    await cp.close();
    for (let i = 0; i < 3; i++) {
      expect((await call(a.http, '/chain?name=xiaoming')).text).toBe('a[base] -> b[gray] -> c[gray]');
      expect((await call(a.http, '/chain')).text).toBe('a[base] -> b[base] -> c[base]');
    }
    // A restart while the control plane is still down: the new process routes from the cache.
    await a.stop();
    a = await start('a', '', 'b');
    expect((await call(a.http, '/chain?name=xiaoming')).text).toBe('a[base] -> b[gray] -> c[gray]');
    expect(a.output()).toContain('GL_CONTROL_PLANE_UNREACHABLE');
  });
});

describe('applications written with a framework', () => {
  let cp: ControlPlane;
  const services: Service[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await cp.close();
  });

  it.each(['express', 'fastify'] as const)('an %s app routes by lane unchanged', async (framework) => {
    const options = { server: cp.url, namespace: framework, cacheDir: cacheDir(), framework };
    await cp.apply(lane(framework, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    const started = await Promise.all([
      startService({ ...options, app: 'a', next: 'b' }),
      startService({ ...options, app: 'b', next: 'c' }),
      startService({ ...options, app: 'b', tag: 'gray', next: 'c' }),
      startService({ ...options, app: 'c' }),
      startService({ ...options, app: 'c', tag: 'gray' }),
    ]);
    services.push(...started);
    const a = started[0];
    await waitFor(
      `${framework} lane`,
      async () => (await call(a.http, '/chain?name=xiaoming')).text === 'a[base] -> b[gray] -> c[gray]',
    );
    expect((await call(a.http, '/chain?name=nobody')).text).toBe('a[base] -> b[base] -> c[base]');
  });
});

describe('failing open', () => {
  const script =
    'require("node:http").createServer().listen(0, function () { console.log("up " + this.address().port); this.close(); })';
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--require', '@graylane/agent/register', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, GRAYLANE_SERVER: '', ...env },
      encoding: 'utf8',
    });

  it('an invalid configuration turns the agent off with a coded message and the app still runs', () => {
    const result = run({ GRAYLANE_APP: 'Not A Name' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^up \d+/);
    expect(result.stderr).toContain('GL_AGENT_CONFIG_INVALID');
    expect(result.stderr).toContain('the agent is off');
  });

  it('an invalid tag is refused with GL_TAG_INVALID', () => {
    const result = run({ GRAYLANE_APP: 'a', GRAYLANE_TAG: "gray' OR 1=1" });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('GL_TAG_INVALID');
  });

  it('GRAYLANE_DISABLED=1 leaves the process untouched', () => {
    const result = run({ GRAYLANE_APP: 'a', GRAYLANE_DISABLED: '1', GRAYLANE_LOG_LEVEL: 'debug' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('the agent is off');
    expect(result.stderr).not.toContain('agent on');
  });

  it('an unreachable control plane never blocks or crashes the app', () => {
    const result = run({
      GRAYLANE_APP: 'a',
      GRAYLANE_SERVER: 'http://127.0.0.1:9',
      GRAYLANE_CACHE_DIR: cacheDir(),
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^up \d+/);
  });
});

describe('an agent with a token the control plane refuses', () => {
  let cp: ControlPlane;
  let service: Service | undefined;

  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await service?.stop();
    await cp.close();
  });

  it('says the token was refused, not that the control plane is unreachable, and the app still serves', async () => {
    service = await startService({
      server: cp.url,
      namespace: 'wrong-token',
      cacheDir: cacheDir(),
      app: 'a',
      env: { GRAYLANE_TOKEN: 'mistyped-token' },
    });
    expect((await call(service.http, '/chain')).text).toBe('a[base]');
    const s = service;
    await waitFor('the agent reports the refused token', async () =>
      s.output().includes('GL_UNAUTHENTICATED') ? true : s.output(),
    );
    expect(service.output()).toContain('GRAYLANE_TOKEN');
    expect(service.output()).not.toContain('GL_CONTROL_PLANE_UNREACHABLE');
  });
});
