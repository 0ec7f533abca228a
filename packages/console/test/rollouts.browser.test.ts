import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@graylane/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshots } from './support/browser.js';

const ADMIN = 'rollout-console-admin';
const NS = 'default';
const built = fileURLToPath(new URL('../dist/index.html', import.meta.url));

let server: RunningServer;
let viewerToken: string;
let agentToken: string;
let browser: BrowserContext;
let page: Page;
let reporting: ReturnType<typeof setInterval> | undefined;

async function api(method: string, path: string, token: string, body?: unknown, type = 'application/json') {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const rollout = (name: string, lane: string) => `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: ${lane} }
spec: { tag: ${lane}, entry: { apps: [a] } }
---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: ${name} }
spec:
  lane: ${lane}
  steps: [ { weight: 20, pause: {} }, { weight: 100 } ]
  analysis:
    interval: 1s
    apps: [b]
    minRequests: 5
    metrics: [ { name: error-rate, max: 0.1 } ]
`;

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
    data: mkdtempSync(join(tmpdir(), 'graylane-console-rollout-')),
    adminToken: ADMIN,
    log: () => {},
    rolloutTickMs: 100,
    analysisLagMs: 1200,
  });
  viewerToken = (await api('POST', '/v1/tokens', ADMIN, { name: 'watcher', role: 'viewer' })).body.token;
  agentToken = (await api('POST', '/v1/tokens', ADMIN, { name: 'agent-b', role: 'agent' })).body.token;
  // What the agents of app b would report every 200 ms: healthy gray and baseline instances.
  reporting = setInterval(() => {
    for (const tag of ['', 'gray', 'canary']) {
      void api('POST', `/v1/namespaces/${NS}/metrics`, agentToken, {
        instanceId: `b-${tag || 'base'}`,
        app: 'b',
        tag,
        at: Date.now(),
        intervalMs: 200,
        bucketsSeconds: [0.005, 0.025],
        inbound: [{ tag, codeClass: '2xx', count: 10, sumSeconds: 0.06, counts: [8, 2, 0] }],
      }).catch(() => undefined);
    }
  }, 200);
  expect((await api('POST', '/v1/apply', ADMIN, rollout('gray', 'gray'), 'application/yaml')).status).toBe(
    200,
  );
  expect(
    (await api('POST', '/v1/apply', ADMIN, rollout('canary', 'canary'), 'application/yaml')).status,
  ).toBe(200);
  browser = await launchChromium();
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(20000);
});

afterAll(async () => {
  clearInterval(reporting);
  await browser?.close();
  await server?.close();
});

describe('the console rollout page', () => {
  it('shows the steps, the weight and each analysis run with its numbers, and promotes for an admin', async () => {
    await signIn(ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('heading', { name: 'Rollouts' }).waitFor();
    await page.getByRole('link', { name: 'gray', exact: true }).click();
    await page.getByRole('heading', { name: /^gray/ }).waitFor();
    await page.locator('[data-testid="phase"]', { hasText: 'Paused' }).first().waitFor();
    await expect(page.getByTestId('weight').textContent()).resolves.toBe('20%');
    const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    await expect(steps.count()).resolves.toBe(2);
    await expect(steps.nth(0).getAttribute('data-state')).resolves.toBe('current');
    await expect(steps.nth(0).textContent()).resolves.toContain('until promoted');
    // A run judged from the reported figures, with its numbers (the first window may hold too few).
    const run = page.locator('tr[data-testid^="run-"]', { hasText: 'Passed' }).first();
    await run.waitFor();
    await expect(run.textContent()).resolves.toMatch(/Passed.*b: \d+ req, errors 0(\.0)?%/);
    await expect(run.textContent()).resolves.toContain('error-rate b: Passed — 0 ≤ max 0.1');
    await expect(page.getByRole('button', { name: 'Pause' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Retry' }).isDisabled()).resolves.toBe(true);
    await shot('rollout-paused');

    await page.getByRole('button', { name: 'Promote' }).click();
    await page.getByTestId('weight').filter({ hasText: '100%' }).waitFor();
    await page.locator('[data-testid="phase"]', { hasText: 'Completed' }).first().waitFor();
    await expect(steps.nth(1).getAttribute('data-state')).resolves.toBe('done');
    const audit = (await api('GET', `/v1/audit?namespace=${NS}`, ADMIN)).body.items;
    expect(audit.find((e: { action: string }) => e.action === 'rollout-promote')?.actor).toBe('admin');
    await shot('rollout-completed');
  });

  it('aborts and retries from the buttons, and the lane weight follows', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('link', { name: 'canary', exact: true }).click();
    await page.locator('[data-testid="phase"]', { hasText: 'Paused' }).first().waitFor();
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.locator('[data-testid="phase"]', { hasText: 'Aborted' }).first().waitFor();
    await expect(page.getByTestId('weight').textContent()).resolves.toBe('0%');
    await expect(page.getByTestId('message').textContent()).resolves.toBe('aborted by admin');
    await shot('rollout-aborted');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('weight').filter({ hasText: '20%' }).waitFor();
    await expect(page.getByRole('button', { name: 'Retry' }).isDisabled()).resolves.toBe(true);
  });

  it('shows a viewer the rollout without the buttons', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(viewerToken);
    await page.goto(`${server.url}/rollouts/gray`);
    await page.locator('[data-testid="phase"]', { hasText: 'Completed' }).first().waitFor();
    await expect(page.getByRole('button', { name: 'Promote' }).count()).resolves.toBe(0);
    await expect(page.getByRole('note').textContent()).resolves.toContain('viewer');
  });
});
