import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLine } from '../../../scripts/node-lines.mjs';
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

// OpenTelemetry's auto-instrumentation and the agent in the same processes, loaded in
// either order: lanes still hold, one trace id runs through every hop, and the server
// span of a request in a lane carries `graylane.tag`. It runs on Node 24, the active
// LTS (OpenTelemetry's SDK takes seconds to start, so not on every line).
const node = nodeLine(24).bin;
const setup = ['--import', './otel/setup.mjs'];
const xiaoming = { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] };

interface SpanLine {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}
const SERVER = 1;

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe.each([
  { order: 'OpenTelemetry before the agent', preload: { before: setup } },
  { order: 'OpenTelemetry after the agent', preload: { after: setup } },
])('with $order', ({ order, preload }) => {
  const namespace = order.includes('before') ? 'otel-before' : 'otel-after';
  const spansDir = mkdtempSync(join(tmpdir(), 'graylane-otel-spans-'));
  const services = new Map<string, Service>();

  const spansOf = (name: string): SpanLine[] => {
    const file = join(spansDir, `${name}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SpanLine);
  };
  const serverSpans = (name: string, traceId: string) =>
    spansOf(name).filter((s) => s.kind === SERVER && s.traceId === traceId);
  const traceparent = () => {
    const traceId = randomBytes(16).toString('hex');
    return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
  };
  const chain = (query: string, headers: Record<string, string> = {}) =>
    call(services.get('a-base')!.http, `/chain${query}`, headers).then((r) => r.text);

  beforeAll(async () => {
    const base = { server: cp.url, namespace, cacheDir: cacheDir(), node, preload, startTimeoutMs: 100_000 };
    await cp.apply(lane(namespace, { tag: 'gray', entry: { apps: ['a'], match: xiaoming } }));
    const start = async (app: string, tag: string, next?: string) => {
      const name = `${app}-${tag || 'base'}`;
      const env = { OTEL_SPANS_FILE: join(spansDir, `${name}.jsonl`) };
      services.set(name, await startService({ ...base, app, tag, next, env }));
    };
    await Promise.all([
      start('a', '', 'b'),
      start('b', '', 'c'),
      start('b', 'gray', 'c'),
      start('c', ''),
      start('c', 'gray'),
    ]);
    await waitFor('the chain routes by lane', async () => {
      const gray = await chain('?name=xiaoming');
      const base = await chain('?name=other');
      return (
        (gray === 'a[base] -> b[gray] -> c[gray]' && base === 'a[base] -> b[base] -> c[base]') || {
          gray,
          base,
        }
      );
    });
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
  });

  it('a request coloured at the entry stays gray and keeps one trace id across the hops', async () => {
    const { traceId, header } = traceparent();
    expect(await chain('?name=xiaoming', { traceparent: header })).toBe('a[base] -> b[gray] -> c[gray]');
    await waitFor('every hop ended its server span', async () =>
      ['a-base', 'b-gray', 'c-gray'].every((s) => serverSpans(s, traceId).length > 0),
    );
    for (const s of ['a-base', 'b-gray', 'c-gray']) {
      expect(serverSpans(s, traceId), s).toHaveLength(1);
      expect(serverSpans(s, traceId)[0]!.attributes['graylane.tag'], s).toBe('gray');
    }
    expect(serverSpans('b-base', traceId)).toHaveLength(0);
    expect(serverSpans('c-base', traceId)).toHaveLength(0);
    // Each hop's server span is the child of the client span the hop before it sent.
    const clientSpanIds = new Set(
      ['a-base', 'b-gray'].flatMap((s) =>
        spansOf(s)
          .filter((x) => x.traceId === traceId)
          .map((x) => x.spanId),
      ),
    );
    expect(clientSpanIds.has(serverSpans('b-gray', traceId)[0]!.parentSpanId!)).toBe(true);
    expect(clientSpanIds.has(serverSpans('c-gray', traceId)[0]!.parentSpanId!)).toBe(true);
  });

  it('an untagged request stays on the baseline, in one trace, with no lane on its spans', async () => {
    const { traceId, header } = traceparent();
    expect(await chain('?name=other', { traceparent: header })).toBe('a[base] -> b[base] -> c[base]');
    await waitFor('every hop ended its server span', async () =>
      ['a-base', 'b-base', 'c-base'].every((s) => serverSpans(s, traceId).length > 0),
    );
    for (const s of ['a-base', 'b-base', 'c-base']) {
      expect(serverSpans(s, traceId)[0]!.attributes).not.toHaveProperty('graylane.tag');
    }
  });

  it('a tag carried in W3C baggage next to the trace context keeps the lane', async () => {
    const { traceId, header } = traceparent();
    const text = await chain('', { traceparent: header, baggage: 'userid=7,graylane-tag=gray' });
    expect(text).toBe('a[base] -> b[gray] -> c[gray]');
    await waitFor('c-gray ended its server span', async () => serverSpans('c-gray', traceId).length === 1);
  });
});
