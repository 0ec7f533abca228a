export interface OutlierOptions {
  /** Consecutive connect failures or resets that eject an instance. Default 3. */
  consecutiveFailures?: number;
  /** First ejection; each further one lasts this times the number of ejections. Default 5 s. */
  baseEjectionMs?: number;
  /** Longest ejection. Default 60 s. */
  maxEjectionMs?: number;
  now?: () => number;
}

export interface OutlierDetector {
  /** True while the instance is ejected: it gets no new requests. */
  isEjected(id: string): boolean;
  /** True while the instance's last outcome was a failure (a streak not yet ended by an answer). */
  isFailing(id: string): boolean;
  /** Counts a connect failure or reset; returns true when this one ejected the instance. */
  failure(id: string): boolean;
  /** An answer arrived: the failure streak ends. */
  success(id: string): void;
  /** How many instances are ejected now (0 is the fast path). */
  readonly ejected: number;
}

/**
 * Passive outlier detection per instance, as Envoy does it: a streak of consecutive
 * local-origin failures ejects the instance for a back-off that grows with each
 * ejection, so a crashed process stops getting traffic long before the registry
 * expires it, and one that keeps failing stays out longer.
 */
export function createOutlierDetector(options: OutlierOptions = {}): OutlierDetector {
  const threshold = options.consecutiveFailures ?? 3;
  const base = options.baseEjectionMs ?? 5000;
  const max = options.maxEjectionMs ?? 60_000;
  const now = options.now ?? Date.now;
  const streaks = new Map<string, number>();
  const ejections = new Map<string, number>();
  const until = new Map<string, number>();

  function isEjected(id: string): boolean {
    if (until.size === 0) return false;
    const end = until.get(id);
    if (end === undefined) return false;
    if (end > now()) return true;
    until.delete(id);
    return false;
  }

  return {
    isEjected,
    isFailing: (id) => streaks.size > 0 && streaks.has(id),
    failure(id) {
      if (isEjected(id)) return false;
      const streak = (streaks.get(id) ?? 0) + 1;
      if (streak < threshold) {
        streaks.set(id, streak);
        return false;
      }
      streaks.delete(id);
      const times = (ejections.get(id) ?? 0) + 1;
      ejections.set(id, times);
      until.set(id, now() + Math.min(max, base * times));
      return true;
    },
    success(id) {
      if (streaks.size > 0) streaks.delete(id);
      if (ejections.size > 0) ejections.delete(id);
    },
    get ejected() {
      if (until.size === 0) return 0;
      let n = 0;
      for (const id of [...until.keys()]) if (isEjected(id)) n++;
      return n;
    },
  };
}
