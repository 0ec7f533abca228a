import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBalancer } from './create-balancer.js';

const three = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

describe('createBalancer', () => {
  it('round-robin visits every candidate in turn', () => {
    const balancer = createBalancer({ strategy: 'round-robin' });
    const seen = Array.from({ length: 6 }, () => balancer.pick(three)!.id);
    expect(new Set(seen.slice(0, 3)).size).toBe(3);
    expect(seen.slice(3)).toEqual(seen.slice(0, 3));
  });

  it('power of two choices prefers the candidate with fewer requests in flight', () => {
    const balancer = createBalancer({ random: () => 0 });
    // random() = 0 draws a (index 0) and b (index 1 after skipping a).
    balancer.begin('a');
    balancer.begin('a');
    balancer.begin('b');
    expect(balancer.pick(three)!.id).toBe('b');
    balancer.end('a');
    balancer.end('a');
    expect(balancer.inFlight('a')).toBe(0);
    expect(balancer.pick(three)!.id).toBe('a');
  });

  it('skips a failed instance during its cool-down and takes it back afterwards', () => {
    let now = 1000;
    const balancer = createBalancer({ strategy: 'round-robin', cooldownMs: 500, now: () => now });
    balancer.markFailed('b');
    const during = new Set(Array.from({ length: 10 }, () => balancer.pick(three)!.id));
    expect(during).toEqual(new Set(['a', 'c']));
    expect(balancer.isCoolingDown('b')).toBe(true);
    now += 501;
    expect(balancer.isCoolingDown('b')).toBe(false);
    const after = new Set(Array.from({ length: 10 }, () => balancer.pick(three)!.id));
    expect(after.has('b')).toBe(true);
  });

  it('still picks one when every candidate is cooling down', () => {
    const balancer = createBalancer();
    for (const c of three) balancer.markFailed(c.id);
    expect(three.map((c) => c.id)).toContain(balancer.pick(three)!.id);
  });

  it('leaves out excluded candidates, for a retry on another instance', () => {
    const balancer = createBalancer();
    expect(balancer.pick(three, new Set(['a', 'b']))!.id).toBe('c');
    expect(balancer.pick(three, new Set(['a', 'b', 'c']))).toBeUndefined();
    expect(balancer.pick([])).toBeUndefined();
  });

  it('always returns one of the allowed candidates and never a cooling one when a healthy one exists', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(5)),
        fc.constantFrom('p2c', 'round-robin'),
        fc.array(fc.nat(5)),
        (ids, failed, strategy, load) => {
          const balancer = createBalancer({ strategy });
          const list = ids.map((id) => ({ id }));
          for (const i of failed) if (ids[i] !== undefined) balancer.markFailed(ids[i]!);
          for (const i of load) if (ids[i] !== undefined) balancer.begin(ids[i]!);
          const picked = balancer.pick(list)!;
          expect(ids).toContain(picked.id);
          if (ids.some((id) => !balancer.isCoolingDown(id)))
            expect(balancer.isCoolingDown(picked.id)).toBe(false);
        },
      ),
    );
  });

  it('spreads load evenly under power of two choices', () => {
    const balancer = createBalancer();
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const id = balancer.pick(three)!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const c of three) expect(counts.get(c.id)).toBeGreaterThan(700);
  });
});
