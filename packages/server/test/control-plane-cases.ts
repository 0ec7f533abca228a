import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { api, laneYaml } from './support/api.js';
import type { StoreFixture } from './support/store-fixture.js';
import { openWatch } from './support/watch-stream.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const beat = (id: string, app = 'spring-cloud-b', tag = 'gray') => ({
  id,
  app,
  tag,
  address: '10.0.0.7',
  ports: { http: 8080, grpc: 50051 },
  protocols: ['http', 'grpc'],
});

/**
 * The behaviour every store must give: run once against SQLite and once against
 * PostgreSQL, each with a fresh, empty store.
 */
export function controlPlaneCases(makeFixture: () => Promise<StoreFixture>): void {
  let fixture: StoreFixture;
  let server: RunningServer;
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    fixture = await makeFixture();
    // Short enough to see expiry in a test, long enough that a busy machine does not expire a live instance.
    server = await fixture.start({ instanceTtlMs: 3000 });
    call = api(server.url);
  });
  afterAll(async () => fixture?.cleanup());

  describe('resources', () => {
    it('applies a lane written in YAML, then serves it by name and in the list', async () => {
      const applied = await call('POST', '/v1/apply', laneYaml('gray'), {
        'content-type': 'application/yaml',
      });
      expect(applied.status).toBe(200);
      expect(applied.body.results).toEqual([
        {
          kind: 'Lane',
          name: 'gray',
          namespace: 'default',
          action: 'created',
          resourceVersion: expect.any(String),
        },
      ]);
      const one = await call('GET', '/v1/namespaces/default/lanes/gray');
      expect(one.status).toBe(200);
      expect(one.body.spec).toMatchObject({
        tag: 'gray',
        priority: 100,
        propagation: true,
        fallback: 'baseline',
      });
      expect(one.body.metadata.resourceVersion).toBe(applied.body.results[0].resourceVersion);
      const list = await call('GET', '/v1/namespaces/default/lanes');
      expect(list.body.items.map((l: { metadata: { name: string } }) => l.metadata.name)).toContain('gray');
    });

    it('reports unchanged when the same document is applied again, and keeps its version', async () => {
      const first = await call('POST', '/v1/apply', laneYaml('same'));
      const again = await call('POST', '/v1/apply', laneYaml('same'));
      expect(again.body.results[0]).toMatchObject({
        action: 'unchanged',
        resourceVersion: first.body.results[0].resourceVersion,
      });
      const changed = await call(
        'POST',
        '/v1/apply',
        laneYaml('same').replace('priority: 100', 'priority: 5'),
      );
      expect(changed.body.results[0].action).toBe('configured');
    });

    it('validates every document before applying any of them', async () => {
      const text = `${laneYaml('first-ok')}---\n${laneYaml('second-bad').replace('op: eq', 'op: equals')}`;
      const res = await call('POST', '/v1/apply', text, { 'content-type': 'application/yaml' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('GL_RULE_INVALID');
      expect(res.body.error.issues[0]).toMatchObject({
        document: 'Lane/second-bad',
        path: 'spec.entry.match.all.0.op',
      });
      expect((await call('GET', '/v1/namespaces/default/lanes/first-ok')).status).toBe(404);
    });

    it('changes nothing on a dry run but says what would happen', async () => {
      const res = await call('POST', '/v1/apply?dryRun=true', laneYaml('dry'));
      expect(res.body).toMatchObject({
        dryRun: true,
        results: [{ name: 'dry', action: 'created', resourceVersion: '' }],
      });
      expect((await call('GET', '/v1/namespaces/default/lanes/dry')).status).toBe(404);
    });

    it('refuses a dryRun value other than true or false with GL_BAD_REQUEST and changes nothing', async () => {
      for (const value of ['1', 'yes', 'maybe', '']) {
        const res = await call('POST', `/v1/apply?dryRun=${value}`, laneYaml('unsure'));
        expect(res.status, value).toBe(400);
        expect(res.body.error.code, value).toBe('GL_BAD_REQUEST');
        expect(res.body.error.message, value).toContain('dryRun=true or dryRun=false');
      }
      expect((await call('GET', '/v1/namespaces/default/lanes/unsure')).status).toBe(404);
      expect((await call('POST', '/v1/apply?dryRun=false', laneYaml('unsure'))).status).toBe(200);
    });

    it('applies several kinds from one JSON array, each in its own namespace', async () => {
      const docs = [
        {
          apiVersion: 'graylane.io/v1',
          kind: 'MessageGrayscale',
          metadata: { name: 'spring-cloud-a', namespace: 'shop' },
          spec: { baselineIgnoredTags: ['gray'] },
        },
        {
          apiVersion: 'graylane.io/v1',
          kind: 'GatewayRoute',
          metadata: { name: 'a', namespace: 'shop' },
          spec: { match: { pathPrefix: '/A' }, app: 'spring-cloud-a' },
        },
      ];
      const res = await call('POST', '/v1/apply', JSON.stringify(docs), {
        'content-type': 'application/json',
      });
      expect(res.body.results.map((r: { kind: string }) => r.kind)).toEqual([
        'MessageGrayscale',
        'GatewayRoute',
      ]);
      const mg = await call('GET', '/v1/namespaces/shop/messagegrayscales/spring-cloud-a');
      expect(mg.body.spec).toEqual({
        enabled: true,
        filter: 'sql92',
        baselineIgnoredTags: ['gray'],
        auto: false,
      });
      expect((await call('GET', '/v1/namespaces/shop/gatewayroutes')).body.items).toHaveLength(1);
      const namespaces = await call('GET', '/v1/namespaces');
      expect(namespaces.body.items.map((n: { name: string }) => n.name)).toEqual(
        expect.arrayContaining(['default', 'shop']),
      );
    });

    it('answers 409 GL_CONFLICT to a PUT carrying a stale resourceVersion', async () => {
      await call('POST', '/v1/apply', laneYaml('rv'));
      const read = (await call('GET', '/v1/namespaces/default/lanes/rv')).body;
      const ok = await call('PUT', '/v1/namespaces/default/lanes/rv', {
        ...read,
        spec: { ...read.spec, priority: 1 },
      });
      expect(ok.status).toBe(200);
      expect(Number(ok.body.metadata.resourceVersion)).toBeGreaterThan(Number(read.metadata.resourceVersion));
      const stale = await call('PUT', '/v1/namespaces/default/lanes/rv', {
        ...read,
        spec: { ...read.spec, priority: 2 },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe('GL_CONFLICT');
      expect((await call('GET', '/v1/namespaces/default/lanes/rv')).body.spec.priority).toBe(1);
    });

    it('lets exactly one of two concurrent updates from the same version win', async () => {
      await call('POST', '/v1/apply', laneYaml('race'));
      const read = (await call('GET', '/v1/namespaces/default/lanes/race')).body;
      const edits = [10, 20].map((priority) =>
        call('PUT', '/v1/namespaces/default/lanes/race', { ...read, spec: { ...read.spec, priority } }),
      );
      const statuses = (await Promise.all(edits)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
    });

    it('serialises many concurrent applies: each lands with its own version and audit entry', async () => {
      const n = 12;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          call('POST', '/v1/apply', laneYaml('busy').replace('priority: 100', `priority: ${i + 1}`)),
        ),
      );
      const versions = results.map((r) => Number(r.body.results[0].resourceVersion));
      expect(new Set(versions).size).toBe(n);
      const audit = await call('GET', '/v1/audit?namespace=default&limit=1000');
      const entries = audit.body.items.filter(
        (e: { kind: string; name: string }) => e.kind === 'Lane' && e.name === 'busy',
      );
      expect(entries).toHaveLength(results.filter((r) => r.body.results[0].action !== 'unchanged').length);
      const latest = Math.max(...versions);
      const final = (await call('GET', '/v1/namespaces/default/lanes/busy')).body;
      expect(Number(final.metadata.resourceVersion)).toBe(latest);
    });

    it('deletes a resource and answers 404 for it afterwards', async () => {
      await call('POST', '/v1/apply', laneYaml('gone'));
      expect((await call('DELETE', '/v1/namespaces/default/lanes/gone')).status).toBe(204);
      const again = await call('DELETE', '/v1/namespaces/default/lanes/gone');
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('GL_NOT_FOUND');
    });
  });

  describe('watch', () => {
    it('sends the snapshot first, then every change in version order', async () => {
      const watch = await openWatch(server.url, 'watched');
      const snapshot = await watch.next();
      expect(snapshot.event).toBe('snapshot');
      expect(snapshot.data).toMatchObject({ namespace: 'watched', lanes: [], instances: {} });
      await call(
        'POST',
        '/v1/apply',
        laneYaml('w1').replace('metadata: { name: w1 }', 'metadata: { name: w1, namespace: watched }'),
      );
      await call('DELETE', '/v1/namespaces/watched/lanes/w1');
      const put = await watch.next();
      const del = await watch.next();
      expect(put).toMatchObject({
        event: 'change',
        data: { type: 'put', resource: { kind: 'Lane', metadata: { name: 'w1' } } },
      });
      expect(del).toMatchObject({ event: 'change', data: { type: 'delete', kind: 'Lane', name: 'w1' } });
      expect(Number(put.id)).toBe(snapshot.data.version + 1);
      expect(Number(del.id)).toBe(put.data.version + 1);
      watch.close();
    });

    it('resumes after a reconnect with only the changes after the version it had', async () => {
      const ns = 'resume';
      const first = await openWatch(server.url, ns);
      const snap = await first.next();
      first.close();
      for (const name of ['r1', 'r2']) {
        await call(
          'POST',
          '/v1/apply',
          laneYaml(name).replace(
            `metadata: { name: ${name} }`,
            `metadata: { name: ${name}, namespace: ${ns} }`,
          ),
        );
      }
      const resumed = await openWatch(server.url, ns, snap.data.version);
      const a = await resumed.next();
      const b = await resumed.next();
      expect([a.event, b.event]).toEqual(['change', 'change']);
      expect([a.data.resource.metadata.name, b.data.resource.metadata.name]).toEqual(['r1', 'r2']);
      resumed.close();
      const ahead = await openWatch(server.url, ns, 10_000);
      expect((await ahead.next()).event).toBe('snapshot');
      ahead.close();
    });

    it('carries a snapshot that holds lanes, message grayscale, routes and instances', async () => {
      await call('POST', '/v1/namespaces/shop/instances', beat('shop-a-1', 'spring-cloud-a', ''));
      const watch = await openWatch(server.url, 'shop');
      const { data } = await watch.next();
      expect(data.messageGrayscale).toHaveLength(1);
      expect(data.gatewayRoutes).toHaveLength(1);
      expect(data.instances['spring-cloud-a'][0]).toMatchObject({
        id: 'shop-a-1',
        tag: '',
        namespace: 'shop',
      });
      watch.close();
      await call('DELETE', '/v1/namespaces/shop/instances/shop-a-1');
    });
  });

  describe('registry', () => {
    it('shows an app when its first instance registers, counted by tag', async () => {
      const reg = await call('POST', '/v1/namespaces/reg/instances', beat('b-gray-1'));
      expect(reg.status).toBe(201);
      expect(reg.body).toMatchObject({
        ttlMs: 3000,
        instance: { id: 'b-gray-1', namespace: 'reg', tag: 'gray' },
      });
      await call('POST', '/v1/namespaces/reg/instances', beat('b-base-1', 'spring-cloud-b', ''));
      const apps = await call('GET', '/v1/namespaces/reg/apps');
      expect(apps.body.items).toEqual([{ name: 'spring-cloud-b', instances: { gray: 1, '': 1 } }]);
      const one = await call('GET', '/v1/namespaces/reg/apps/spring-cloud-b');
      expect(one.body.items.map((i: { id: string }) => i.id).sort()).toEqual(['b-base-1', 'b-gray-1']);
      const list = await call('GET', '/v1/namespaces/reg/instances?app=spring-cloud-b');
      expect(list.body.items).toHaveLength(2);
      await call('DELETE', '/v1/namespaces/reg/instances/b-gray-1');
      await call('DELETE', '/v1/namespaces/reg/instances/b-base-1');
    });

    it('keeps a heartbeating instance, expires a silent one, and says GL_INSTANCE_UNKNOWN to it after', async () => {
      const watch = await openWatch(server.url, 'ttl');
      await watch.next();
      await call('POST', '/v1/namespaces/ttl/instances', beat('alive'));
      await call('POST', '/v1/namespaces/ttl/instances', beat('silent'));
      for (let i = 0; i < 10; i++) {
        await sleep(300);
        expect((await call('PUT', '/v1/namespaces/ttl/instances/alive/heartbeat')).status).toBe(204);
      }
      const expired = await watch.next((e) => e.data.type === 'instance-delete');
      expect(expired.data).toMatchObject({ app: 'spring-cloud-b', id: 'silent' });
      const late = await call('PUT', '/v1/namespaces/ttl/instances/silent/heartbeat');
      expect(late.status).toBe(404);
      expect(late.body.error.code).toBe('GL_INSTANCE_UNKNOWN');
      const left = await call('GET', '/v1/namespaces/ttl/instances');
      expect(left.body.items.map((i: { id: string }) => i.id)).toEqual(['alive']);
      const audit = await call('GET', '/v1/audit?namespace=ttl');
      expect(audit.body.items.find((e: { action: string }) => e.action === 'expire')).toMatchObject({
        actor: 'system',
        name: 'silent',
      });
      watch.close();
      await call('DELETE', '/v1/namespaces/ttl/instances/alive');
    });

    it('publishes registration and deregistration as changes, but not heartbeats that change nothing', async () => {
      const watch = await openWatch(server.url, 'beats');
      await watch.next();
      await call('POST', '/v1/namespaces/beats/instances', beat('c1', 'spring-cloud-c'));
      expect((await watch.next()).data).toMatchObject({ type: 'instance-put', instance: { id: 'c1' } });
      await call('PUT', '/v1/namespaces/beats/instances/c1/heartbeat');
      await call('PUT', '/v1/namespaces/beats/instances/c1/heartbeat', { consumerGroups: ['GID_C'] });
      const updated = await watch.next();
      expect(updated.data).toMatchObject({ type: 'instance-put', instance: { consumerGroups: ['GID_C'] } });
      await call('DELETE', '/v1/namespaces/beats/instances/c1');
      expect((await watch.next()).data).toMatchObject({
        type: 'instance-delete',
        app: 'spring-cloud-c',
        id: 'c1',
      });
      watch.close();
    });
  });

  describe('metrics', () => {
    const BUCKETS = [0.01, 0.1, 1];
    const histogram = (count: number, slow: number) => ({
      count,
      // The real sum: fast calls take 5 ms, slow ones 50 ms.
      sumSeconds: (count - slow) * 0.005 + slow * 0.05,
      counts: [count - slow, slow, 0, 0],
    });
    const report = (tag: string, extra: Record<string, unknown>) =>
      call('POST', '/v1/namespaces/default/metrics', {
        instanceId: `m-${tag || 'base'}`,
        app: 'metered',
        tag,
        at: Date.now(),
        intervalMs: 2000,
        bucketsSeconds: BUCKETS,
        inbound: [],
        outbound: [],
        messages: [],
        ...extra,
      });

    it('turns reported counters into a QPS, error, latency and message trend per tag, and Prometheus text', async () => {
      const gray = await report('gray', {
        inbound: [
          { tag: 'gray', codeClass: '2xx', ...histogram(196, 10) },
          { tag: 'gray', codeClass: '5xx', ...histogram(4, 0) },
        ],
        messages: [
          { tag: 'gray', direction: 'produced', system: 'rocketmq', count: 30 },
          { tag: 'gray', direction: 'consumed', system: 'kafka', count: 12 },
        ],
        runtime: {
          heapUsedBytes: 1000,
          heapTotalBytes: 2000,
          rssBytes: 3000,
          eventLoopLagSeconds: 0.002,
          eventLoopLagP99Seconds: 0.01,
        },
      });
      expect(gray.status).toBe(204);
      expect(
        (await report('', { inbound: [{ tag: '', codeClass: '2xx', ...histogram(2000, 0) }] })).status,
      ).toBe(204);
      const trend = await call('GET', '/v1/namespaces/default/apps/metered/metrics?window=5m');
      expect(trend.body.step).toBe(1000);
      const byTag = Object.fromEntries(trend.body.series.map((s: { tag: string }) => [s.tag, s]));
      type Point = { qps: number; errorRate: number; p99: number; produced: number; consumed: number };
      const busy = (tag: string) => byTag[tag].points.filter((p: Point) => p.qps > 0) as Point[];
      const total = (tag: string, f: (p: Point) => number) =>
        (byTag[tag].points as Point[]).reduce((sum, p) => sum + f(p), 0);
      expect(total('gray', (p) => p.qps)).toBeCloseTo(200, 5);
      expect(total('gray', (p) => p.produced)).toBeCloseTo(30, 5);
      expect(total('gray', (p) => p.consumed)).toBeCloseTo(12, 5);
      expect(busy('gray')[0]!.errorRate).toBeCloseTo(0.02, 5);
      // The histogram interpolates inside a bucket, and a report may be split over
      // two seconds: assert the bucket the p99 lies in, not a value on its edge.
      expect(busy('gray')[0]!.p99).toBeGreaterThan(10);
      expect(busy('gray')[0]!.p99).toBeLessThanOrEqual(100);
      expect(busy('')[0]!.p99).toBeGreaterThan(0);
      expect(busy('')[0]!.p99).toBeLessThanOrEqual(10);
      expect(byTag.gray.points.length).toBeGreaterThanOrEqual(300);
      const hour = await call('GET', '/v1/namespaces/default/apps/metered/metrics?window=7d');
      expect(hour.body.step).toBe(3_600_000);

      const prom = await fetch(`${server.url}/metrics`).then((r) => r.text());
      const l = (tag: string) => `namespace="default",app="metered",tag="${tag}"`;
      expect(prom).toContain(`graylane_requests_total{${l('gray')},code_class="2xx"} 196`);
      expect(prom).toContain(`graylane_requests_total{${l('gray')},code_class="5xx"} 4`);
      expect(prom).toContain(`graylane_requests_total{${l('baseline')},code_class="2xx"} 2000`);
      expect(prom).toContain(`graylane_request_duration_seconds_bucket{${l('baseline')},le="+Inf"} 2000`);
      expect(prom).toContain(`graylane_request_duration_seconds_bucket{${l('gray')},le="0.01"} 190`);
      expect(prom).toContain(`graylane_request_duration_seconds_count{${l('gray')}} 200`);
      const sum = Number(prom.match(/graylane_request_duration_seconds_sum\{[^}]*tag="gray"\} (\S+)/)![1]);
      expect(sum).toBeCloseTo(190 * 0.005 + 10 * 0.05, 9);
      expect(prom).toContain(
        `graylane_messages_total{${l('gray')},direction="produced",system="rocketmq"} 30`,
      );
      expect(prom).toContain(`graylane_messages_total{${l('gray')},direction="consumed",system="kafka"} 12`);
      expect(prom).toContain(
        'graylane_instance_heap_used_bytes{namespace="default",app="metered",instance="m-gray"} 1000',
      );
      expect(prom).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(prom).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
      expect(prom).not.toContain('tag=""');
    });

    it('maps the edges of each lane: in the lane, fallen back to the baseline, or leaked', async () => {
      const edge = (
        target: string,
        tag: string,
        targetTag: string,
        fallback: boolean,
        count: number,
        errors = 0,
      ) => ({
        target,
        tag,
        targetTag,
        fallback,
        errors,
        ...histogram(count, 0),
      });
      const sent = await report('gray', {
        outbound: [
          edge('edge-b', 'gray', 'gray', false, 60, 3),
          edge('edge-c', 'gray', '', true, 30),
          edge('edge-d', '', 'gray', false, 6),
        ],
      });
      expect(sent.status).toBe(204);
      type Edge = {
        from: string;
        to: string;
        reached: string;
        requests: number;
        errors: number;
        rate: number;
      };
      let lanes: Array<{ tag: string; edges: Edge[] }> = [];
      // The report's interval ends now; its last second counts once it is over.
      for (let i = 0; i < 20; i++) {
        lanes = (await call('GET', '/v1/namespaces/default/lane-map?windowSeconds=60')).body.lanes;
        const all = lanes.flatMap((x) => x.edges).filter((e) => e.from === 'metered');
        if (all.reduce((n, e) => n + e.requests, 0) >= 95.99) break;
        await sleep(200);
      }
      const find = (tag: string, to: string) =>
        lanes.find((x) => x.tag === tag)?.edges.find((e) => e.to === to);
      expect(find('gray', 'edge-b')).toMatchObject({
        from: 'metered',
        reached: 'lane',
        requests: 60,
        errors: 3,
        rate: 1,
      });
      expect(find('gray', 'edge-c')).toMatchObject({ reached: 'fallback', requests: 30 });
      expect(find('', 'edge-d')).toMatchObject({ reached: 'leak', requests: 6 });
      const prom = await fetch(`${server.url}/metrics`).then((r) => r.text());
      expect(prom).toContain(
        'graylane_outbound_requests_total{namespace="default",app="metered",target="edge-c",tag="gray",target_tag="baseline",fallback="true"} 30',
      );
      expect(prom).toContain(
        'graylane_outbound_errors_total{namespace="default",app="metered",target="edge-b",tag="gray",target_tag="gray",fallback="false"} 3',
      );
      expect(prom).toMatch(
        /graylane_outbound_request_duration_seconds_count\{[^}]*target="edge-b"[^}]*\} 60/,
      );
    });

    it('refuses a report whose histogram does not match its buckets, and the reserved tag baseline', async () => {
      const bad = await report('gray', {
        inbound: [{ tag: 'gray', codeClass: '2xx', count: 1, sumSeconds: 0, counts: [1] }],
      });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'GL_BAD_REQUEST']);
      const reserved = await call(
        'POST',
        '/v1/namespaces/default/instances',
        beat('r1', 'metered', 'baseline'),
      );
      expect([reserved.status, reserved.body.error.code]).toEqual([400, 'GL_TAG_RESERVED']);
    });
  });

  describe('auth and audit', () => {
    it('answers 401 GL_UNAUTHENTICATED without a token or with an unknown one', async () => {
      const none = await api(server.url, '')('GET', '/v1/namespaces/default/lanes');
      expect([none.status, none.body.error.code]).toEqual([401, 'GL_UNAUTHENTICATED']);
      const wrong = await api(server.url, 'gl_nope')('GET', '/v1/namespaces/default/lanes');
      expect(wrong.status).toBe(401);
      expect((await api(server.url, '')('GET', '/healthz')).body).toEqual({ ok: true });
    });

    it('gives viewers read, agents register/watch/metrics, and answers 403 GL_FORBIDDEN beyond that', async () => {
      const viewer = api(
        server.url,
        (await call('POST', '/v1/tokens', { name: 'alice', role: 'viewer' })).body.token,
      );
      const agent = api(
        server.url,
        (await call('POST', '/v1/tokens', { name: 'agent-b', role: 'agent' })).body.token,
      );
      expect((await viewer('GET', '/v1/namespaces/default/lanes')).status).toBe(200);
      const denied = await viewer('POST', '/v1/apply', laneYaml('nope'));
      expect([denied.status, denied.body.error.code]).toEqual([403, 'GL_FORBIDDEN']);
      expect((await agent('GET', '/v1/namespaces/default/lanes')).status).toBe(403);
      expect((await agent('POST', '/v1/namespaces/default/instances', beat('by-agent'))).status).toBe(201);
      const watch = await openWatch(
        server.url,
        'default',
        undefined,
        (await call('POST', '/v1/tokens', { name: 'gw', role: 'agent' })).body.token,
      );
      expect((await watch.next()).event).toBe('snapshot');
      watch.close();
      const audit = await call('GET', '/v1/audit?namespace=default');
      expect(audit.body.items[0]).toMatchObject({
        actor: 'agent-b',
        action: 'register',
        kind: 'Instance',
        name: 'by-agent',
      });
      const tokens = await call('GET', '/v1/tokens');
      expect(tokens.body.items.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(['admin', 'alice', 'agent-b']),
      );
      expect(JSON.stringify(tokens.body)).not.toContain('gl_');
      expect((await call('DELETE', '/v1/tokens/alice')).status).toBe(204);
      expect((await viewer('GET', '/v1/namespaces/default/lanes')).status).toBe(401);
      expect((await call('POST', '/v1/tokens', { name: 'agent-b', role: 'viewer' })).status).toBe(409);
      await call('DELETE', '/v1/namespaces/default/instances/by-agent');
    });

    it('lets an agent token with apps act only for those apps, and keeps an instance to the token that registered it', async () => {
      const created = await call('POST', '/v1/tokens', {
        name: 'scoped-b',
        role: 'agent',
        apps: ['spring-cloud-b'],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ role: 'agent', apps: ['spring-cloud-b'] });
      const scoped = api(server.url, created.body.token);
      const other = api(
        server.url,
        (await call('POST', '/v1/tokens', { name: 'other-agent', role: 'agent' })).body.token,
      );
      const instances = '/v1/namespaces/default/instances';
      const forbidden = async (res: Promise<{ status: number; body: { error?: { code: string } } }>) => {
        const answer = await res;
        return [answer.status, answer.body.error?.code];
      };

      expect((await scoped('POST', instances, beat('owned-b'))).status).toBe(201);
      expect(await forbidden(scoped('POST', instances, beat('fake-c', 'spring-cloud-c')))).toEqual([
        403,
        'GL_FORBIDDEN',
      ]);
      // Another agent token can neither overwrite the address nor deregister the instance.
      const hijack = { ...beat('owned-b'), address: '10.6.6.6' };
      expect(await forbidden(other('POST', instances, hijack))).toEqual([403, 'GL_FORBIDDEN']);
      expect(await forbidden(other('POST', instances, beat('owned-b')))).toEqual([403, 'GL_FORBIDDEN']);
      expect(await forbidden(other('PUT', `${instances}/owned-b/heartbeat`, { ports: { http: 1 } }))).toEqual(
        [403, 'GL_FORBIDDEN'],
      );
      expect(await forbidden(other('DELETE', `${instances}/owned-b`))).toEqual([403, 'GL_FORBIDDEN']);
      const listed = await call('GET', `${instances}?app=spring-cloud-b`);
      expect(listed.body.items.find((i: { id: string }) => i.id === 'owned-b')).toMatchObject({
        address: '10.0.0.7',
        ports: { http: 8080, grpc: 50051 },
      });

      // The scoped token cannot touch another app's instance either.
      expect((await other('POST', instances, beat('owned-c', 'spring-cloud-c'))).status).toBe(201);
      expect(await forbidden(scoped('PUT', `${instances}/owned-c/heartbeat`))).toEqual([403, 'GL_FORBIDDEN']);
      expect(await forbidden(scoped('DELETE', `${instances}/owned-c`))).toEqual([403, 'GL_FORBIDDEN']);

      const metrics = (app: string) => ({
        instanceId: 'owned-b',
        app,
        tag: 'gray',
        at: Date.now(),
        intervalMs: 1000,
        bucketsSeconds: [0.01],
        inbound: [{ tag: 'gray', codeClass: '2xx', count: 1, sumSeconds: 0.001, counts: [1, 0] }],
      });
      expect(
        await forbidden(scoped('POST', '/v1/namespaces/default/metrics', metrics('spring-cloud-c'))),
      ).toEqual([403, 'GL_FORBIDDEN']);
      expect((await scoped('POST', '/v1/namespaces/default/metrics', metrics('spring-cloud-b'))).status).toBe(
        204,
      );

      expect((await scoped('PUT', `${instances}/owned-b/heartbeat`)).status).toBe(204);
      expect((await scoped('DELETE', `${instances}/owned-b`)).status).toBe(204);
      // An admin may remove any instance.
      expect((await call('DELETE', `${instances}/owned-c`)).status).toBe(204);

      const tokens = await call('GET', '/v1/tokens');
      expect(tokens.body.items.find((t: { name: string }) => t.name === 'scoped-b')).toMatchObject({
        apps: ['spring-cloud-b'],
      });
      const viewerWithApps = await call('POST', '/v1/tokens', {
        name: 'v-apps',
        role: 'viewer',
        apps: ['a'],
      });
      expect([viewerWithApps.status, viewerWithApps.body.error.code]).toEqual([400, 'GL_BAD_REQUEST']);
    });

    it('refuses a token after its expiresAt, and one created already expired', async () => {
      const past = await call('POST', '/v1/tokens', {
        name: 'late',
        role: 'viewer',
        expiresAt: Date.now() - 1,
      });
      expect([past.status, past.body.error.code]).toEqual([400, 'GL_BAD_REQUEST']);
      const expiresAt = Date.now() + 1000;
      const created = await call('POST', '/v1/tokens', {
        name: 'brief',
        role: 'viewer',
        expiresAt: new Date(expiresAt).toISOString(),
      });
      expect(created.body.expiresAt).toBe(expiresAt);
      const brief = api(server.url, created.body.token);
      expect((await brief('GET', '/v1/namespaces/default/lanes')).status).toBe(200);
      await sleep(expiresAt - Date.now() + 50);
      const refused = await brief('GET', '/v1/namespaces/default/lanes');
      expect([refused.status, refused.body.error.code]).toEqual([401, 'GL_UNAUTHENTICATED']);
      expect(refused.body.error.message).toContain('expired');
    });

    it('refuses to delete the last admin token with 409, and deletes an admin token that is not the last', async () => {
      const last = await call('DELETE', '/v1/tokens/admin');
      expect([last.status, last.body.error.code]).toEqual([409, 'GL_CONFLICT']);
      expect((await call('POST', '/v1/tokens', { name: 'admin-2', role: 'admin' })).status).toBe(201);
      expect((await call('DELETE', '/v1/tokens/admin-2')).status).toBe(204);
      expect((await call('GET', '/v1/tokens')).status).toBe(200);
    });

    it('accepts requests without a token only when started with insecureNoAuth, and audits them as anonymous', async () => {
      const open = await fixture.start({ insecureNoAuth: true });
      const anonymous = api(open.url, '');
      const applied = await anonymous(
        'POST',
        '/v1/apply',
        laneYaml('open').replace('metadata: { name: open }', 'metadata: { name: open, namespace: open }'),
      );
      expect(applied.status).toBe(200);
      const audit = await anonymous('GET', '/v1/audit?namespace=open');
      expect(audit.body.items[0]).toMatchObject({ actor: 'anonymous', action: 'create', name: 'open' });
      await open.close();
    });

    it('records who changed what, with the document before and after', async () => {
      await call('POST', '/v1/apply', laneYaml('audited'));
      await call('POST', '/v1/apply', laneYaml('audited').replace('priority: 100', 'priority: 7'));
      await call('DELETE', '/v1/namespaces/default/lanes/audited');
      const audit = await call('GET', '/v1/audit?namespace=default&limit=50');
      const mine = audit.body.items.filter((e: { name: string }) => e.name === 'audited');
      expect(mine.map((e: { action: string }) => e.action)).toEqual(['delete', 'update', 'create']);
      const [del, update, create] = mine;
      expect(create).toMatchObject({ actor: 'admin', kind: 'Lane', namespace: 'default', before: null });
      expect(update.before.spec.priority).toBe(100);
      expect(update.after.spec.priority).toBe(7);
      expect(del.after).toBeNull();
      expect(typeof del.at).toBe('number');
    });
  });

  describe('bad input', () => {
    const bad = async (
      method: string,
      path: string,
      body: string | object,
      contentType = 'application/json',
    ) => {
      const res = await call(method, path, body, { 'content-type': contentType });
      return [res.status, res.body?.error?.code];
    };

    it('answers malformed JSON and YAML, unknown kinds and invalid tags with 4xx and a code', async () => {
      expect(await bad('POST', '/v1/namespaces/default/instances', '{"id": ')).toEqual([
        400,
        'GL_BAD_REQUEST',
      ]);
      expect(await bad('POST', '/v1/apply', 'kind: [unclosed', 'application/yaml')).toEqual([
        400,
        'GL_DOCUMENT_INVALID',
      ]);
      expect(await bad('POST', '/v1/apply', laneYaml('k').replace('kind: Lane', 'kind: Pod'))).toEqual([
        400,
        'GL_KIND_UNKNOWN',
      ]);
      expect(await bad('POST', '/v1/apply', laneYaml('t', 'Gray!'))).toEqual([400, 'GL_RULE_INVALID']);
      expect(await bad('POST', '/v1/namespaces/default/instances', { ...beat('x'), tag: 'NOT OK' })).toEqual([
        400,
        'GL_TAG_INVALID',
      ]);
      expect(await bad('POST', '/v1/apply', '')).toEqual([400, 'GL_DOCUMENT_INVALID']);
      expect(await bad('GET', '/v1/namespaces/Bad_NS/lanes', '')).toEqual([400, 'GL_BAD_REQUEST']);
      expect(await bad('GET', '/v1/nothing-here', '')).toEqual([404, 'GL_NOT_FOUND']);
      expect(await bad('GET', '/v1/namespaces/default/watch?since=-1', '')).toEqual([400, 'GL_BAD_REQUEST']);
      expect(await bad('POST', '/v1/namespaces/default/metrics', { app: 'x' })).toEqual([
        400,
        'GL_BAD_REQUEST',
      ]);
      expect(
        await bad('PUT', '/v1/namespaces/default/lanes/other', laneYaml('mismatch'), 'application/yaml'),
      ).toEqual([400, 'GL_BAD_REQUEST']);
    });

    it('refuses a body over the limit with 413 GL_BODY_TOO_LARGE and keeps serving', async () => {
      const huge = `# ${'x'.repeat(2 * 1024 * 1024)}\n${laneYaml('huge')}`;
      expect(await bad('POST', '/v1/apply', huge, 'application/yaml')).toEqual([413, 'GL_BODY_TOO_LARGE']);
      expect((await call('GET', '/healthz')).status).toBe(200);
    });

    it('serves its OpenAPI document', async () => {
      const doc = await api(server.url, '')('GET', '/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/v1/apply', '/v1/namespaces/{ns}/watch']),
      );
      expect(doc.body.components.schemas.Lane.properties.kind.const).toBe('Lane');
    });
  });

  describe('restart', () => {
    it('loses nothing across a restart: resources, versions, instances, tokens and audit', async () => {
      const own = await fixture.start({ instanceTtlMs: 60_000 });
      const call2 = api(own.url);
      await call2(
        'POST',
        '/v1/apply',
        laneYaml('durable').replace(
          'metadata: { name: durable }',
          'metadata: { name: durable, namespace: durable }',
        ),
      );
      await call2('POST', '/v1/namespaces/durable/instances', beat('d1'));
      await call2('PUT', '/v1/namespaces/durable/instances/d1/heartbeat');
      const viewerToken = (await call2('POST', '/v1/tokens', { name: 'durable-viewer', role: 'viewer' })).body
        .token;
      const before = await openWatch(own.url, 'durable');
      const snapBefore = (await before.next()).data;
      before.close();
      await own.close();
      await server.close();

      server = await fixture.start({ instanceTtlMs: 60_000 });
      call = api(server.url);
      const after = await openWatch(server.url, 'durable', snapBefore.version);
      const snapAfter = await after.next(undefined, 500).catch(() => undefined);
      after.close();
      // Either nothing is missing (no event), or a snapshot equal to the one before.
      if (snapAfter) expect(snapAfter.data).toEqual(snapBefore);
      const fresh = await openWatch(server.url, 'durable');
      const snap = (await fresh.next()).data;
      fresh.close();
      expect(snap.version).toBe(snapBefore.version);
      expect(snap.lanes.map((l: { metadata: { name: string } }) => l.metadata.name)).toEqual(['durable']);
      expect(snap.instances['spring-cloud-b'].map((i: { id: string }) => i.id)).toEqual(['d1']);
      expect((await api(server.url, viewerToken)('GET', '/v1/namespaces/durable/lanes')).status).toBe(200);
      const audit = await call('GET', '/v1/audit?namespace=durable');
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['register', 'create']);
      const next = await call(
        'POST',
        '/v1/apply',
        laneYaml('later').replace(
          'metadata: { name: later }',
          'metadata: { name: later, namespace: durable }',
        ),
      );
      expect(Number(next.body.results[0].resourceVersion)).toBe(snapBefore.version + 1);
    });
  });

  describe('audit retention', () => {
    // Last in the file: it deletes the audit entries the cases above wrote.
    it('deletes audit entries older than the retention when it starts, and keeps the newer ones', async () => {
      const older = await call('GET', '/v1/audit?limit=1000');
      expect(older.body.items.length).toBeGreaterThan(0);
      const olderUntil = Date.now();
      await sleep(3000);
      const inRetention = laneYaml('kept').replace(
        'metadata: { name: kept }',
        'metadata: { name: kept, namespace: retention }',
      );
      expect((await call('POST', '/v1/apply', inRetention)).status).toBe(200);
      // The cut-off falls just after the entries above, whatever the apply and the start
      // cost: the new entry, 3 s younger, stays unless starting takes nearly 3 s itself.
      const retentionMs = Date.now() - olderUntil - 100;
      const pruning = await fixture.start({ auditRetentionDays: retentionMs / 86_400_000 });
      const left = await api(pruning.url)('GET', '/v1/audit?limit=1000');
      await pruning.close();
      expect(
        left.body.items.map((e: { namespace: string; name: string }) => `${e.namespace}/${e.name}`),
      ).toEqual(['retention/kept']);
    });
  });
}
