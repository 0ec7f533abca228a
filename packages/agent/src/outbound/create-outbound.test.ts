import { emptySnapshot, type Instance } from '@graylane/core/runtime';
import { describe, expect, it } from 'vitest';
import { runInLane } from '../lane-context.js';
import { createLogger } from '../logger.js';
import type { OutboundRecord } from '../metrics-recorder.js';
import { compileRoutingState } from '../routing-state.js';
import { createOutbound } from './create-outbound.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const fresh = { responseStarted: false, replayable: true, idempotent: true, bodySent: false };

function instance(id: string, tag: string): Instance {
  return {
    id,
    app: 'c',
    namespace: 'default',
    tag,
    address: `10.0.0.${id.length}`,
    ports: { http: 80 },
    lastHeartbeat: 0,
  };
}

function setup(instances: Instance[], fallback: 'baseline' | 'strict' = 'baseline', propagation = true) {
  const snapshot = emptySnapshot('default');
  snapshot.instances = { c: instances };
  snapshot.lanes = [
    {
      apiVersion: 'graylane.io/v1',
      kind: 'Lane',
      metadata: { name: 'gray', namespace: 'default' },
      spec: { tag: 'gray', priority: 100, propagation, fallback },
    } as never,
  ];
  const state = compileRoutingState(snapshot, 'b');
  const records: OutboundRecord[] = [];
  const outbound = createOutbound({
    state: () => state,
    scope: { k8sNamespace: 'default', clusterDomain: 'cluster.local' },
    log: createLogger('silent'),
    record: (r) => records.push(r),
  });
  return { outbound, records };
}

describe('the outbound path', () => {
  it('sends a lane to its own instance and records the hop', () => {
    const { outbound, records } = setup([instance('base', ''), instance('gray', 'gray')]);
    const hop = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(hop.instance.id).toBe('gray');
    hop.end(true);
    hop.end(false);
    expect(records).toMatchObject([
      { target: 'c', tag: 'gray', targetTag: 'gray', fallback: false, ok: true },
    ]);
  });

  it('falls back to the baseline at once when the lane has no instance that can take a request', () => {
    const { outbound, records } = setup([instance('base', ''), instance('gray', 'gray')]);
    const hop = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(hop.retry(refused, fresh)?.id).toBe('base');
    hop.end(true);
    expect(records[0]).toMatchObject({ tag: 'gray', targetTag: '', fallback: true });
  });

  it('ejects an instance after repeated failures, so the lane falls back until it recovers', () => {
    const { outbound } = setup([instance('base', ''), instance('gray', 'gray')]);
    for (let i = 0; i < 3; i++) {
      const hop = runInLane('gray', () => outbound.begin('c', 'http'));
      expect(hop.instance.id).toBe('gray');
      hop.retry(refused, fresh);
      hop.end(true);
    }
    expect(runInLane('gray', () => outbound.begin('c', 'http')).instance.id).toBe('base');
  });

  it("spends the last attempt after connect failures on the baseline, whatever number of the lane's instances refuse", () => {
    const grays = ['g1', 'g22', 'g333', 'g4444'].map((id) => instance(id, 'gray'));
    const { outbound, records } = setup([instance('base', ''), ...grays]);
    const hop = runInLane('gray', () => outbound.begin('c', 'http'));
    const first = hop.instance.id;
    const second = hop.retry(refused, fresh);
    expect(second?.tag).toBe('gray');
    expect(second?.id).not.toBe(first);
    expect(hop.retry(refused, fresh)?.id).toBe('base');
    hop.end(true);
    expect(records[0]).toMatchObject({ tag: 'gray', targetTag: '', fallback: true });
  });

  it('sends a request again to an instance whose last outcome was not a failure, when several of them refuse', () => {
    const bases = ['b1', 'b22', 'b333', 'b4444'].map((id) => instance(id, ''));
    const { outbound } = setup([...bases, instance('alive55555', '')]);
    // Other requests met each of the four dead baselines once: none is ejected yet.
    for (const id of ['b1', 'b22', 'b333', 'b4444']) {
      for (;;) {
        const hop = outbound.begin('c', 'http');
        if (hop.instance.id !== id) {
          hop.end(true);
          continue;
        }
        hop.retry(refused, { ...fresh, replayable: false });
        hop.end(false);
        break;
      }
    }
    for (let i = 0; i < 20; i++) {
      const hop = outbound.begin('c', 'http');
      if (hop.instance.id === 'alive55555') {
        hop.end(true);
        continue;
      }
      expect(hop.retry(refused, fresh)?.id).toBe('alive55555');
      hop.end(true);
    }
  });

  it('keeps a strict lane on its own instances for the last attempt too', () => {
    const grays = ['g1', 'g22', 'g333'].map((id) => instance(id, 'gray'));
    const { outbound } = setup([instance('base', ''), ...grays], 'strict');
    const hop = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(hop.retry(refused, fresh)?.tag).toBe('gray');
    expect(hop.retry(refused, fresh)?.tag).toBe('gray');
    expect(hop.retry(refused, fresh)).toBeUndefined();
  });

  it('never picks an ejected instance for a strict lane: it fails at once with the strict code', () => {
    const { outbound } = setup([instance('base', ''), instance('gray', 'gray')], 'strict');
    for (let i = 0; i < 3; i++) {
      const hop = runInLane('gray', () => outbound.begin('c', 'http'));
      expect(hop.retry(refused, fresh)).toBeUndefined();
    }
    expect(() => runInLane('gray', () => outbound.begin('c', 'http'))).toThrow(
      expect.objectContaining({ code: 'GL_STRICT_NO_TAGGED_INSTANCE' }),
    );
  });

  it('moves a reset request only when the instance cannot have acted on it', () => {
    const { outbound } = setup([instance('base', ''), instance('gray', 'gray')]);
    const post = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(post.retry(reset, { ...fresh, idempotent: false, bodySent: true })).toBeUndefined();
    const answered = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(answered.retry(reset, { ...fresh, responseStarted: true })).toBeUndefined();
    const get = runInLane('gray', () => outbound.begin('c', 'http'));
    expect(get.retry(reset, fresh)?.id).toBe('base');
  });

  it('keeps untagged traffic on the baseline, even when every baseline instance failed', () => {
    const { outbound } = setup([instance('base', ''), instance('gray', 'gray')]);
    for (let i = 0; i < 3; i++) outbound.begin('c', 'http').retry(refused, fresh);
    expect(outbound.begin('c', 'http').instance.id).toBe('base');
  });

  it('says GL_NO_INSTANCE when nothing can take the request', () => {
    const { outbound } = setup([instance('gray', 'gray')]);
    expect(() => outbound.begin('c', 'http')).toThrow(expect.objectContaining({ code: 'GL_NO_INSTANCE' }));
  });

  it('writes the tag and merges it into the baggage where the lane propagates, and strips it where not', () => {
    const on = setup([instance('base', '')]).outbound;
    expect(runInLane('gray', () => on.tagFields(() => 'a=1'))).toEqual({
      tag: 'gray',
      baggage: 'a=1,graylane-tag=gray',
    });
    expect(runInLane('gray', () => on.tagFields(() => undefined), 'k=v,graylane-tag=gray')).toEqual({
      tag: 'gray',
      baggage: 'k=v,graylane-tag=gray',
    });
    expect(on.tagFields(() => 'a=1')).toBeUndefined();
    const off = setup([instance('base', '')], 'baseline', false).outbound;
    expect(runInLane('gray', () => off.tagFields(() => 'a=1,graylane-tag=gray'))).toEqual({ baggage: 'a=1' });
    expect(runInLane('gray', () => off.tagFields(() => 'a=1'))).toBeUndefined();
  });

  it('knows an app by its Kubernetes names', () => {
    const { outbound } = setup([instance('base', '')]);
    expect(outbound.appOf('c.default.svc.cluster.local')).toBe('c');
    expect(outbound.appOf('C.default.')).toBe('c');
    expect(outbound.appOf('example.com')).toBeUndefined();
  });
});
