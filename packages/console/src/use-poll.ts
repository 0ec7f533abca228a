import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now and every `everyMs` (0: once) while the page is shown; the
 * last good data stays on screen when a refresh fails, next to the error.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's; tick forces a reload
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function run() {
      try {
        const value = await loadRef.current();
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(e as Error);
      } finally {
        if (!stopped) {
          setLoading(false);
          if (everyMs > 0) timer = setTimeout(run, everyMs);
        }
      }
    }
    setLoading(true);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, everyMs, tick]);

  return { data, error, loading, reload };
}
