import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningGateway, startGateway } from '@graylane/gateway';
import { type RunningServer, startServer } from '@graylane/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  cacheDir,
  call,
  type Service,
  startService,
  waitFor,
} from '../../agent/test/support/cluster.js';
import { launchChromium, screenshots } from './support/browser.js';

const ADMIN = ADMIN_TOKEN; // the token the fixture services use
const NS = 'default';
const built = fileURLToPath(new URL('../dist/index.html', import.meta.url));

let server: RunningServer;
let viewerToken: string;
let browser: BrowserContext;
let page: Page;
const services: Service[] = [];
let front: Service;
let traffic: ReturnType<typeof setInterval> | undefined;
let gateway: RunningGateway | undefined;

async function api(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

async function signIn(token: string) {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(built))
    throw new Error('the console is not built: run npm run build -w @graylane/console first');
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: mkdtempSync(join(tmpdir(), 'graylane-console-cp-')),
    adminToken: ADMIN,
    log: () => {},
  });
  viewerToken = (await api('POST', '/v1/tokens', ADMIN, { name: 'watcher', role: 'viewer' })).body.token;
  process.env.GRAYLANE_METRICS_INTERVAL_MS = '1000';
  const common = { server: server.url, namespace: NS, cacheDir: cacheDir() };
  // app-a (baseline) calls app-b; app-b runs as baseline and as gray.
  services.push(
    ...(await Promise.all([
      startService({ ...common, app: 'app-b' }),
      startService({ ...common, app: 'app-b', tag: 'gray' }),
      startService({ ...common, app: 'app-a', next: 'app-b' }),
    ])),
  );
  front = services[2]!;
  browser = await launchChromium();
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15000);
});

afterAll(async () => {
  clearInterval(traffic);
  await browser?.close();
  await gateway?.close();
  await Promise.all(services.map((s) => s.stop()));
  await server?.close();
});

describe('the console', () => {
  it('signs in with an admin token and lists the apps with their instances per tag', async () => {
    await page.goto(`${server.url}/lanes`);
    await expect(page.getByLabel('Token').isVisible()).resolves.toBe(true);
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('this token is not known').waitFor();
    await shot('sign-in');
    await signIn(ADMIN);
    await expect(page.getByTestId('role').textContent()).resolves.toBe('admin');
    const row = page.locator('tr[data-app="app-b"]');
    await row.locator('.tag[data-tag="gray"]').waitFor();
    await expect(row.locator('.tag[data-tag=""]').textContent()).resolves.toContain('×1');
    await shot('applications');
  });

  it('creates a lane in the editor, and a request then reaches the gray upstream', async () => {
    await page.getByRole('link', { name: 'Tag routing' }).click();
    await page.getByText('No lanes yet').waitFor();
    await page.getByRole('link', { name: 'New lane' }).click();
    await page.getByLabel('Lane name').fill('gray');
    await page.getByLabel('Tag', { exact: true }).fill('gray');
    await page.getByLabel('Entry apps').fill('app-a');
    const cond = page.locator('[data-path="spec.entry.match.all.0"]');
    await cond.getByLabel('Source').selectOption('query');
    await cond.getByLabel('Name').fill('name');
    await cond.getByLabel('Operator').selectOption('eq');
    await cond.getByLabel('Value').fill('xiaoming');
    // The test panel answers with the lane being edited, before it is saved.
    await page.getByLabel('Path and query').fill('/chain?name=xiaoming');
    await expect(page.getByTestId('tester-result').textContent()).resolves.toContain('Takes lane gray');
    await shot('lane-editor');
    await page.getByRole('button', { name: 'Create lane' }).click();
    await page.locator('tr[data-lane="gray"]').waitFor();
    await expect(page.locator('tr[data-lane="gray"] .summary').textContent()).resolves.toBe(
      'query name equals "xiaoming"',
    );
    const stored = await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN);
    expect(stored.body.spec.entry).toMatchObject({
      apps: ['app-a'],
      match: { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] },
    });
    await shot('lanes');

    await waitFor('the lane reaches the agents', async () => {
      const r = await call(front.http, '/chain?name=xiaoming');
      return r.text === 'app-a[base] -> app-b[gray]' || r.text;
    });
    expect((await call(front.http, '/chain?name=someone')).text).toBe('app-a[base] -> app-b[base]');
  });

  it('shows gray traffic appearing in the trend chart of the upstream app', async () => {
    traffic = setInterval(() => {
      void call(front.http, '/chain?name=xiaoming').catch(() => undefined);
      void call(front.http, '/chain?name=other').catch(() => undefined);
    }, 100);
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('link', { name: 'app-b' }).click();
    await page.getByRole('heading', { name: 'app-b' }).waitFor();
    const gray = page.locator('[data-testid="chart-qps"] path[data-tag="gray"]');
    await gray.waitFor({ timeout: 20000 });
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="chart-qps"] path[data-tag="gray"]')?.getAttribute('data-max'),
        ) > 0,
      undefined,
      { timeout: 20000 },
    );
    await page.locator('[data-testid="chart-qps"] path[data-tag=""]').waitFor();
    for (const chart of ['qps', 'errors', 'p50', 'p99', 'produced', 'consumed'])
      await page.getByTestId(`chart-${chart}`).waitFor();
    // Hovering a chart shows the time and each lane's value there.
    const box = (await page.locator('[data-testid="chart-qps"] svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2);
    const tooltip = page.locator('[data-testid="chart-qps"] [data-testid="chart-tooltip"]');
    await tooltip.waitFor();
    await expect(tooltip.textContent()).resolves.toMatch(/baseline: [\d.]+.*gray: [\d.]+/);
    await expect(page.getByRole('cell', { name: 'gray' }).count()).resolves.toBeGreaterThan(0);
    await shot('app-overview');
  });

  it('shows a bad condition at its field, before anything is sent', async () => {
    await page.goto(`${server.url}/lanes/gray`);
    const cond = page.locator('[data-path="spec.entry.match.all.0"]');
    await cond.getByLabel('Operator').selectOption('regex');
    await cond.getByLabel('Value').fill('([a-z');
    const error = page.locator('[data-error-for="spec.entry.match.all.0.value"]');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('not a valid RE2 regular expression');
    await expect(cond.getByLabel('Value').getAttribute('aria-invalid')).resolves.toBe('true');
    await cond.getByLabel('Operator').selectOption('in');
    await cond.getByLabel('Values, separated by commas').fill('');
    await page.locator('[data-error-for="spec.entry.match.all.0.values"]').waitFor();
    await page.getByRole('button', { name: 'Save lane' }).click();
    // Nothing was written: the stored lane still has its eq condition.
    const stored = await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN);
    expect(stored.body.spec.entry.match.all[0].op).toBe('eq');
    // Focus moves to the first bad field; wait for it rather than read it once (within the
    // page's default timeout, not 5 s: a busy machine renders slowly).
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-path') === 'spec.entry.match.all.0.values',
    );
    await shot('lane-invalid');
  });

  it('shows message grayscale, gateway routes and the audit log with a diff', async () => {
    // A consumer app's instances report the groups they poll, and on which broker, as the agent
    // does; `orders-audit` is a group of that name on both brokers.
    for (const [tag, group, kafkaGroup, both] of [
      ['', 'orders-push', 'orders-events', 'orders-audit'],
      ['gray', 'orders-push_gray', 'orders-events_gray', 'orders-audit_gray'],
    ] as const) {
      const registered = await api('POST', `/v1/namespaces/${NS}/instances`, ADMIN, {
        id: `orders-${tag || 'base'}`,
        app: 'orders',
        tag,
        address: '127.0.0.1',
        consumerGroups: [group, kafkaGroup, both],
        metadata: {
          'consumer-groups.rocketmq': `${both},${group}`,
          'consumer-groups.kafka': `${both},${kafkaGroup}`,
        },
      });
      expect(registered.status).toBe(201);
    }
    // Its gray instance reports the messages it consumed, in the agents' wire format.
    const reported = await api('POST', `/v1/namespaces/${NS}/metrics`, ADMIN, {
      instanceId: 'orders-gray',
      app: 'orders',
      tag: 'gray',
      at: Date.now(),
      intervalMs: 1000,
      bucketsSeconds: [],
      messages: [{ tag: 'gray', direction: 'consumed', system: 'rocketmq', count: 30 }],
    });
    expect(reported.status).toBe(204);
    await page.getByRole('link', { name: 'Message grayscale' }).click();
    const orders = page.locator('article[data-app="orders"]');
    await orders.getByRole('rowheader', { name: 'orders-push_gray' }).waitFor();
    await orders.getByRole('rowheader', { name: 'orders-push', exact: true }).waitFor();
    // Kafka groups per tag, next to RocketMQ's, each named with its broker.
    const kafkaRow = orders
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'orders-events_gray' }) });
    await expect(kafkaRow.getByRole('cell').first().textContent()).resolves.toBe('Kafka');
    await expect(kafkaRow.locator('.tag[data-tag="gray"]').count()).resolves.toBe(1);
    const rocketmqRow = orders
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'orders-push', exact: true }) });
    await expect(rocketmqRow.getByRole('cell').first().textContent()).resolves.toBe('RocketMQ');
    // A group of the same name on both brokers is two rows, one per broker, each with its instances.
    const auditRows = orders
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'orders-audit_gray', exact: true }) });
    await expect(auditRows.count()).resolves.toBe(2);
    await expect(auditRows.locator('td:first-of-type').allTextContents()).resolves.toEqual([
      'Kafka',
      'RocketMQ',
    ]);
    await expect(auditRows.locator('.tag[data-tag="gray"]').count()).resolves.toBe(2);
    // Per-lane message rates: 30 messages over the one-minute window (once their second is over).
    await orders.locator('[data-testid="message-rates"] tr[data-tag="gray"]', { hasText: '0.50' }).waitFor();
    // Apps that neither produce nor consume are not listed.
    await expect(page.locator('article[data-app="app-b"]').count()).resolves.toBe(0);
    await orders.getByRole('switch', { name: /Message grayscale/ }).check();
    await orders.getByRole('button', { name: 'Save' }).click();
    await orders.getByText('Saved').waitFor();
    const mg = await api('GET', `/v1/namespaces/${NS}/messagegrayscales/orders`, ADMIN);
    expect(mg.body.spec).toMatchObject({ enabled: true, filter: 'sql92' });
    await shot('message-grayscale');

    await page.getByRole('link', { name: 'Gateway routes' }).click();
    await page.getByRole('button', { name: 'New route' }).click();
    await page.getByLabel('Route name').fill('a');
    await page.getByLabel('Match', { exact: true }).fill('/A');
    await page.getByLabel('App').fill('app-a');
    await page.getByRole('button', { name: 'Create route' }).click();
    await page.getByRole('rowheader', { name: 'a', exact: true }).waitFor();
    await shot('gateway-routes');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const entry = page.locator('tr[data-audit="Lane/gray"]').first();
    await entry.getByRole('button', { name: 'Show diff' }).click();
    await expect(page.getByTestId('audit-diff').first().textContent()).resolves.toContain('spec.tag');
    await shot('audit-log');

    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('link', { name: 'Tag routing' }).click();
    await page.locator('tr[data-lane="gray"]').waitFor();
    await shot('lanes-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('routes a request through the gateway to the gray upstream once the lane lists the gateway', async () => {
    gateway = await startGateway({
      server: server.url,
      token: ADMIN,
      port: 0,
      host: '127.0.0.1',
      namespace: NS,
      cacheDir: cacheDir(),
      logLevel: 'error',
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/lanes/gray`);
    await page.getByRole('button', { name: '+ gateway' }).click();
    await expect(page.getByLabel('Entry apps').inputValue()).resolves.toBe('app-a, gateway');
    await page.getByRole('button', { name: 'Save lane' }).click();
    await page.locator('tr[data-lane="gray"]').waitFor();
    const stored = await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN);
    expect(stored.body.spec.entry.apps).toEqual(['app-a', 'gateway']);
    await waitFor('the gateway sends the lane to the gray upstream', async () => {
      const res = await fetch(`${gateway!.url}/A/chain?name=xiaoming`);
      const text = await res.text();
      return text === 'app-a[base] -> app-b[gray]' || text;
    });
    expect(await (await fetch(`${gateway.url}/A/chain?name=someone`)).text()).toBe(
      'app-a[base] -> app-b[base]',
    );
  });

  it('draws the reference scenario on the lane map: A → B → C in gray, and B → C falling back once C-gray stops', async () => {
    const common = { server: server.url, namespace: NS, cacheDir: cacheDir() };
    const started = await Promise.all([
      startService({ ...common, app: 'ref-a', next: 'ref-b', transport: 'grpc' }),
      startService({ ...common, app: 'ref-a', tag: 'gray', next: 'ref-b', transport: 'grpc' }),
      startService({ ...common, app: 'ref-b', next: 'ref-c' }),
      startService({ ...common, app: 'ref-b', tag: 'gray', next: 'ref-c' }),
      startService({ ...common, app: 'ref-c' }),
      startService({ ...common, app: 'ref-c', tag: 'gray' }),
    ]);
    services.push(...started);
    const cGray = started[5]!;
    const route = {
      apiVersion: 'graylane.io/v1',
      kind: 'GatewayRoute',
      metadata: { name: 'ref', namespace: NS },
      spec: { match: { pathPrefix: '/R' }, app: 'ref-a', stripPrefix: true },
    };
    expect((await api('PUT', `/v1/namespaces/${NS}/gatewayroutes/ref`, ADMIN, route)).status).toBeLessThan(
      300,
    );
    const through = async () => (await fetch(`${gateway!.url}/R/chain?name=xiaoming`)).text();
    await waitFor('the gray lane runs A → B → C in gray', async () => {
      const text = await through();
      return text === 'ref-a[gray] -> ref-b[gray] -> ref-c[gray]' || text;
    });
    const load = setInterval(() => void through().catch(() => undefined), 100);
    try {
      await page.getByRole('link', { name: 'Lane map' }).click();
      const lane = page.locator('article[data-lane="gray"]');
      const edge = (from: string, to: string, reached: string) =>
        lane.locator(`tr[data-from="${from}"][data-to="${to}"][data-reached="${reached}"]`);
      await edge('gateway', 'ref-a', 'lane').waitFor({ timeout: 20000 });
      await edge('ref-a', 'ref-b', 'lane').waitFor({ timeout: 20000 });
      await edge('ref-b', 'ref-c', 'lane').waitFor({ timeout: 20000 });
      await expect(edge('ref-b', 'ref-c', 'lane').locator('td').nth(2).textContent()).resolves.toBe(
        'in lane (gray)',
      );
      await lane
        .locator('g[data-testid="lane-edge"][data-from="ref-b"][data-to="ref-c"][data-reached="lane"]')
        .waitFor();
      await shot('lane-map');

      await cGray.stop();
      await waitFor('B → C falls back to the baseline', async () => {
        const text = await through();
        return text === 'ref-a[gray] -> ref-b[gray] -> ref-c[base]' || text;
      });
      await edge('ref-b', 'ref-c', 'fallback').waitFor({ timeout: 20000 });
      await expect(edge('ref-b', 'ref-c', 'fallback').locator('td').nth(2).textContent()).resolves.toBe(
        'fell back to baseline',
      );
      await lane
        .locator('g[data-testid="lane-edge"][data-from="ref-b"][data-to="ref-c"][data-reached="fallback"]')
        .waitFor();
      // A → B stays in the lane (a few calls may have moved to B's baseline while C-gray was
      // stopping: its failures eject B-gray for a moment); nothing leaks.
      await edge('ref-a', 'ref-b', 'lane').waitFor();
      await expect(lane.locator('tr[data-reached="leak"]').count()).resolves.toBe(0);
      // The lane's header warns that hops fall back (the gateway's calls to app-a, which has no
      // gray instance, may still be in the window too).
      await expect(lane.locator('.card-head .warn').textContent()).resolves.toMatch(/falls? back/);
      await shot('lane-map-fallback');
    } finally {
      clearInterval(load);
    }
  });

  it('shows the server refusing a save when someone changed the lane meanwhile, and keeps their change', async () => {
    await page.goto(`${server.url}/lanes/gray`);
    await page.getByLabel('Priority').waitFor();
    const opened = await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN);
    const theirs = opened.body.spec.priority + 1;
    const changed = { ...opened.body, spec: { ...opened.body.spec, priority: theirs } };
    expect((await api('PUT', `/v1/namespaces/${NS}/lanes/gray`, ADMIN, changed)).status).toBeLessThan(300);
    await page.getByLabel('Priority').fill(String(theirs + 10));
    await page.getByRole('button', { name: 'Save lane' }).click();
    const error = page.locator('p.form-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Someone changed this lane since you opened it');
    await page.waitForFunction(() => document.activeElement?.classList.contains('form-error') === true);
    const stored = await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN);
    expect(stored.body.spec.priority).toBe(theirs);
  });

  it('issues a token that is shown once, and revoking it refuses its holder at once', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    await page.getByLabel('Token name').fill('Not A Name');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#token-name-error').waitFor();
    await page.getByLabel('Token name').fill('ci-viewer');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = ((await page.getByTestId('issued-token').textContent()) ?? '').trim();
    await page.getByRole('rowheader', { name: 'ci-viewer' }).waitFor();
    expect((await api('GET', '/v1/namespaces', token)).status).toBe(200);
    const listed = await api('GET', '/v1/tokens', ADMIN);
    expect(listed.body.items).toContainEqual(expect.objectContaining({ name: 'ci-viewer', role: 'viewer' }));
    await page.getByLabel('Token name').fill('orders-agent');
    await page.getByLabel('Role').selectOption('agent');
    await page.getByLabel('Apps').fill('orders, billing');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('rowheader', { name: 'orders-agent' }).waitFor();
    const scoped = (await api('GET', '/v1/tokens', ADMIN)).body.items.find(
      (t: { name: string }) => t.name === 'orders-agent',
    );
    expect(scoped).toMatchObject({ role: 'agent', apps: ['billing', 'orders'] });
    await expect(page.getByRole('row', { name: /orders-agent/ }).textContent()).resolves.toContain(
      'billing, orders',
    );
    await shot('tokens');
    await page.getByRole('button', { name: 'Revoke token ci-viewer' }).click();
    await page.getByRole('button', { name: 'Yes, revoke token ci-viewer' }).click();
    await page.getByRole('rowheader', { name: 'ci-viewer' }).waitFor({ state: 'detached' });
    expect((await api('GET', '/v1/namespaces', token)).status).toBe(401);
  });

  it('gives a viewer token a read-only console, and the server refuses its writes', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(viewerToken);
    await expect(page.getByTestId('role').textContent()).resolves.toBe('viewer');
    await expect(page.getByRole('link', { name: 'Tokens' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Tag routing' }).click();
    await page.locator('tr[data-lane="gray"]').waitFor();
    await expect(page.getByRole('link', { name: 'New lane' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /Delete/ }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'gray', exact: true }).click();
    await page.getByLabel('Tag', { exact: true }).waitFor();
    await expect(page.getByLabel('Tag', { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /Save|Create/ }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Message grayscale' }).click();
    await page.locator('article[data-app="orders"]').waitFor();
    await expect(
      page
        .getByRole('switch', { name: /Message grayscale/ })
        .first()
        .isDisabled(),
    ).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Save' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Gateway routes' }).click();
    await page.getByRole('rowheader', { name: 'a', exact: true }).waitFor();
    await expect(page.getByRole('button', { name: 'New route' }).count()).resolves.toBe(0);
    await shot('viewer-lanes');
    const denied = await page.evaluate(async (token) => {
      const res = await fetch('/v1/namespaces/default/lanes/gray', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      return res.status;
    }, viewerToken);
    expect(denied).toBe(403);
    expect((await api('GET', `/v1/namespaces/${NS}/lanes/gray`, ADMIN)).status).toBe(200);
  });
});
