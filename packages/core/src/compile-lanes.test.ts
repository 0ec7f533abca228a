import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLanes } from './compile-lanes.js';
import { parseDocuments } from './parse-documents.js';
import { createRequestView } from './request-view.js';
import type { Lane } from './resources.js';

function lane(name: string, spec: Record<string, unknown>): Lane {
  return parseDocuments(
    JSON.stringify({ apiVersion: 'graylane.io/v1', kind: 'Lane', metadata: { name }, spec }),
  )[0] as Lane;
}

const xiaoming = lane('gray', {
  tag: 'gray',
  entry: {
    apps: ['gateway', 'a'],
    match: { all: [{ source: 'query', name: 'name', op: 'eq', value: 'xiaoming' }] },
  },
});

describe('compileLanes', () => {
  it('gives the tag of the matching lane and nothing to other requests', () => {
    const match = compileLanes([xiaoming], 'gateway');
    expect(match(createRequestView({ url: '/A/dubbo?name=xiaoming' }))).toEqual({
      tag: 'gray',
      lane: 'gray',
    });
    expect(match(createRequestView({ url: '/A/dubbo?name=other' }))).toBeUndefined();
  });

  it('only uses lanes whose entry apps include the app', () => {
    expect(compileLanes([xiaoming], 'b')(createRequestView({ url: '/?name=xiaoming' }))).toBeUndefined();
    const noEntry = lane('passive', { tag: 'blue' });
    expect(compileLanes([noEntry], 'a')(createRequestView({}))).toBeUndefined();
  });

  it('tries lanes by priority, highest first, then by name', () => {
    const any = { all: [{ source: 'method', op: 'exists' }] };
    const low = lane('low', { tag: 'low', priority: 1, entry: { apps: ['a'], match: any } });
    const high = lane('high', { tag: 'high', priority: 5, entry: { apps: ['a'], match: any } });
    const b = lane('b', { tag: 'b', priority: 1, entry: { apps: ['a'], match: any } });
    expect(compileLanes([low, b, high], 'a')(createRequestView({}))?.tag).toBe('high');
    expect(compileLanes([low, b], 'a')(createRequestView({}))?.tag).toBe('b');
  });

  it('a weighted lane without a key takes its share of the traffic that reaches it', () => {
    const weighted = lane('w', { tag: 'gray', entry: { apps: ['a'], weight: 30 } });
    let r = 0;
    const match = compileLanes([weighted], 'a', { random: () => (r++ % 100) / 100 });
    let hits = 0;
    for (let i = 0; i < 1000; i++) if (match(createRequestView({}))) hits++;
    expect(hits).toBe(300);
  });

  it('weight 100 takes all matching traffic and a weight-only lane needs no conditions', () => {
    const all = lane('all', { tag: 'gray', entry: { apps: ['a'], weight: 100 } });
    expect(compileLanes([all], 'a', { random: () => 0.999 })(createRequestView({}))?.tag).toBe('gray');
  });

  it('a sticky weight gives the same user the same answer every time', () => {
    const sticky = lane('s', {
      tag: 'gray',
      entry: { apps: ['a'], weight: 50, weightKey: { source: 'header', name: 'x-user' } },
    });
    const match = compileLanes([sticky], 'a', { random: () => 0 });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (user) => {
        const first = match(createRequestView({ headers: { 'x-user': user } }));
        for (let i = 0; i < 3; i++)
          expect(match(createRequestView({ headers: { 'x-user': user } }))).toEqual(first);
      }),
    );
  });

  it('weights of two sticky lanes each take their share of what remains', () => {
    const first = lane('first', {
      tag: 'one',
      priority: 2,
      entry: { apps: ['a'], weight: 50, weightKey: { source: 'header', name: 'x-user' } },
    });
    const second = lane('second', {
      tag: 'two',
      priority: 1,
      entry: { apps: ['a'], weight: 50, weightKey: { source: 'header', name: 'x-user' } },
    });
    const match = compileLanes([first, second], 'a');
    const counts: Record<string, number> = { one: 0, two: 0, none: 0 };
    for (let i = 0; i < 20000; i++) {
      const tag = match(createRequestView({ headers: { 'x-user': `user-${i}` } }))?.tag ?? 'none';
      counts[tag] = (counts[tag] ?? 0) + 1;
    }
    // 50% to the first lane, 50% of the remaining half to the second, the rest untagged.
    expect(counts.one! / 20000).toBeCloseTo(0.5, 1);
    expect(counts.two! / 20000).toBeCloseTo(0.25, 1);
    expect(counts.none! / 20000).toBeCloseTo(0.25, 1);
  });

  it('the decision never depends on the order the lanes were given in', () => {
    const lanes = [0, 1, 2, 3].map((i) =>
      lane(`l${i}`, {
        tag: `t${i}`,
        priority: i % 2,
        entry: {
          apps: ['a'],
          match: { all: [{ source: 'query', name: 'q', op: 'modulo', divisor: i + 1, remainder: 0 }] },
        },
      }),
    );
    fc.assert(
      fc.property(fc.shuffledSubarray(lanes, { minLength: 4, maxLength: 4 }), fc.nat(1000), (order, q) => {
        const view = createRequestView({ url: `/?q=${q}` });
        expect(compileLanes(order, 'a')(view)).toEqual(compileLanes(lanes, 'a')(view));
      }),
    );
  });
});
