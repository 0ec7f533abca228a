export interface Balanced {
  /** Unique per instance (e.g. its address and port). */
  id: string;
}

export interface BalancerOptions {
  /** `p2c` (default): power of two choices by in-flight count; `round-robin`. */
  strategy?: 'p2c' | 'round-robin';
  /** How long an instance marked as failed is skipped. Default 5000 ms. */
  cooldownMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface Balancer {
  /** One of the candidates, skipping those in cool-down unless all are; undefined for none. */
  pick<T extends Balanced>(candidates: readonly T[], exclude?: ReadonlySet<string>): T | undefined;
  /** Counts a request as in flight on the instance; call `end` when it completes. */
  begin(id: string): void;
  end(id: string): void;
  inFlight(id: string): number;
  /** Skips the instance for the cool-down (a connect failure, say). */
  markFailed(id: string): void;
  isCoolingDown(id: string): boolean;
}

export function createBalancer(options: BalancerOptions = {}): Balancer {
  const strategy = options.strategy ?? 'p2c';
  const cooldownMs = options.cooldownMs ?? 5000;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const inflight = new Map<string, number>();
  const failedUntil = new Map<string, number>();
  let cursor = 0;

  function isCoolingDown(id: string): boolean {
    const until = failedUntil.get(id);
    if (until === undefined) return false;
    if (until > now()) return true;
    failedUntil.delete(id);
    return false;
  }

  function usable<T extends Balanced>(candidates: readonly T[], exclude?: ReadonlySet<string>): readonly T[] {
    const allowed = exclude && exclude.size > 0 ? candidates.filter((c) => !exclude.has(c.id)) : candidates;
    if (failedUntil.size === 0) return allowed; // the common case: nothing to skip, no copy
    const healthy = allowed.filter((c) => !isCoolingDown(c.id));
    // When every candidate is cooling down, trying one beats failing for sure.
    return healthy.length > 0 ? healthy : allowed;
  }

  return {
    pick(candidates, exclude) {
      const list = usable(candidates, exclude);
      if (list.length <= 1) return list[0];
      if (strategy === 'round-robin') {
        cursor = (cursor + 1) % 0x7fffffff;
        return list[cursor % list.length];
      }
      const a = Math.floor(random() * list.length);
      let b = Math.floor(random() * (list.length - 1));
      if (b >= a) b++;
      const first = list[a]!;
      const second = list[b]!;
      return (inflight.get(second.id) ?? 0) < (inflight.get(first.id) ?? 0) ? second : first;
    },
    begin(id) {
      inflight.set(id, (inflight.get(id) ?? 0) + 1);
    },
    end(id) {
      const n = (inflight.get(id) ?? 0) - 1;
      if (n > 0) inflight.set(id, n);
      else inflight.delete(id);
    },
    inFlight: (id) => inflight.get(id) ?? 0,
    markFailed(id) {
      failedUntil.set(id, now() + cooldownMs);
    },
    isCoolingDown,
  };
}
