import { readFileSync } from 'node:fs';
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
import { type RunningPrometheus, startPrometheus } from './support/prometheus.js';

// Debian's Prometheus scrapes a control plane that real agents report to; the per-tag
// error rate PromQL returns must be the one this test causes. Run under the heavy lock.
const NS = 'prom';
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

let cp: ControlPlane;
let prometheus: RunningPrometheus;
const services: Service[] = [];
let front: Service;

const chain = (query: string) => call(front.http, `/chain${query}`);
const total = async (p: RunningPrometheus) => {
  const [row] = await p.query(`sum(graylane_requests_total{namespace="${NS}",app="b"})`);
  return row?.value ?? 0;
};

beforeAll(async () => {
  cp = await startControlPlane();
  process.env.GRAYLANE_METRICS_INTERVAL_MS = '200';
  const common = { server: cp.url, namespace: NS, cacheDir: cacheDir() };
  await cp.apply(lane(NS, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
  services.push(
    ...(await Promise.all([
      startService({ ...common, app: 'b' }),
      startService({ ...common, app: 'b', tag: 'gray' }),
      startService({ ...common, app: 'a', next: 'b' }),
    ])),
  );
  front = services[2]!;
  await waitFor('the gray lane reaches b-gray', async () => {
    const text = (await chain('?name=xiaoming')).text;
    return text === 'a[base] -> b[gray]' || text;
  });
  prometheus = await startPrometheus(new URL(cp.url).host);
});

afterAll(async () => {
  await prometheus?.close();
  await Promise.all(services.map((s) => s.stop()));
  await cp?.close();
});

describe('Prometheus scraping the control plane', () => {
  it('computes the per-tag error rate the agents saw', async () => {
    // Every series (2xx and 5xx of each tag) exists before the measured traffic, so all
    // of them have the same samples in the query's range and rate() treats them alike.
    expect((await chain('?name=xiaoming')).status).toBe(200);
    expect((await chain('?name=xiaoming&fail=b')).status).toBe(502);
    expect((await chain('?name=other')).status).toBe(200);
    expect((await chain('?name=other&fail=b')).status).toBe(502);
    const seen = async () =>
      (await prometheus.query(`graylane_requests_total{namespace="${NS}",app="b"}`)).length;
    await waitFor(
      'prometheus scraped the four series of b',
      async () => (await seen()) === 4 || seen(),
      30_000,
    );
    const warm = await total(prometheus);
    // The range starts at a scrape stored before the measured traffic is sent: it holds the
    // warm-up values only, however late a busy machine answers a scrape.
    const grayFailed = `graylane_requests_total{namespace="${NS}",app="b",tag="gray",code_class="5xx"}[2m]`;
    const stamps = async () => (await prometheus.samples(grayFailed))[0]?.values.map(([t]) => t) ?? [];
    const quiet = Date.now();
    await waitFor('a scrape after the warm-up', async () => (await stamps()).some((t) => t > quiet), 30_000);
    const first = (await stamps()).at(-1)!;

    // The measured traffic: gray 15 ok and 5 failed at b; baseline 8 ok and 2 failed.
    for (let i = 0; i < 15; i++) expect((await chain('?name=xiaoming')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await chain('?name=xiaoming&fail=b')).status).toBe(502);
    for (let i = 0; i < 8; i++) expect((await chain('?name=other')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await chain('?name=other&fail=b')).status).toBe(502);
    await waitFor(
      'prometheus scraped all of it',
      async () => {
        const n = (await total(prometheus)) - warm;
        return n === 30 || n;
      },
      30_000,
    );
    // The range runs from the last scrape before the traffic to the latest one, both
    // sample timestamps: rate() then has nothing to extrapolate, and the ratio is exact.
    const at = (await stamps()).at(-1)!;
    const range = `${at - first}ms`;
    const errorRate = await prometheus.query(
      `sum by (tag) (rate(graylane_requests_total{namespace="${NS}",app="b",code_class="5xx"}[${range}]))
        / sum by (tag) (rate(graylane_requests_total{namespace="${NS}",app="b"}[${range}]))`,
      at,
    );
    const byTag = Object.fromEntries(errorRate.map((r) => [r.metric.tag, r.value]));
    expect(Object.keys(byTag).sort()).toEqual(['baseline', 'gray']);
    expect(byTag.gray).toBeCloseTo(5 / 20, 6);
    expect(byTag.baseline).toBeCloseTo(2 / 10, 6);

    // The edges read the same way: a's calls to b in the gray lane reached gray. a reports
    // on its own clock, so its counts may reach Prometheus a scrape after b's.
    let reached: Record<string, number> = {};
    await waitFor(
      "prometheus scraped a's calls to b",
      async () => {
        const edges = await prometheus.query(
          `sum by (tag, target_tag, fallback) (graylane_outbound_requests_total{namespace="${NS}",app="a",target="b"})`,
        );
        reached = Object.fromEntries(edges.map((e) => [`${e.metric.tag}->${e.metric.target_tag}`, e.value]));
        return ((reached['gray->gray'] ?? 0) >= 21 && (reached['baseline->baseline'] ?? 0) >= 11) || reached;
      },
      30_000,
    );
    expect(reached['gray->gray']).toBeGreaterThanOrEqual(21);
    expect(reached['baseline->baseline']).toBeGreaterThanOrEqual(11);
  });

  it('answers every query of the Grafana dashboard in deploy/', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../../deploy/grafana/graylane-lanes.json', import.meta.url), 'utf8'),
    ) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const queries = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })),
    );
    expect(queries.length).toBeGreaterThan(10);
    const filled = (expr: string) =>
      expr
        .replaceAll('$namespace', NS)
        .replaceAll('$app', '.*')
        .replaceAll('$lane', '.*')
        .replaceAll('$__rate_interval', '1m');
    const empty: string[] = [];
    for (const q of queries) {
      // query() throws with Prometheus' message when the expression does not parse or run.
      const rows = await prometheus.query(filled(q.expr));
      if (rows.length === 0) empty.push(q.title);
    }
    // What the test's traffic feeds has data; edges that fall back or leak and messages do not occur here.
    for (const title of ['Requests per second', 'Error rate (5xx)', 'Latency p99', 'Heap used (instances)'])
      expect(empty).not.toContain(title);
  });
});
