import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessMetrics {
  /** The process series in Prometheus text, sampled now. */
  lines(): string[];
  stop(): void;
}

/**
 * The control plane's own process and runtime figures, under the names Prometheus
 * client libraries use (`process_*`, `nodejs_*`), so existing dashboards read them.
 * The event-loop delay is measured continuously and reset at each scrape, so each
 * scrape reports the interval since the previous one.
 */
export function createProcessMetrics(): ProcessMetrics {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const startSeconds = Math.round((Date.now() - performance.now()) / 1000);
  return {
    lines() {
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const lag = Number.isFinite(loop.mean) ? loop.mean / 1e9 : 0;
      const lagP99 = loop.count > 0 ? loop.percentile(99) / 1e9 : 0;
      loop.reset();
      const g = (name: string, type: string, text: string, value: number) => [
        `# HELP ${name} ${text}`,
        `# TYPE ${name} ${type}`,
        `${name} ${value}`,
      ];
      return [
        ...g(
          'process_cpu_seconds_total',
          'counter',
          'User and system CPU time spent, in seconds.',
          (cpu.user + cpu.system) / 1e6,
        ),
        ...g('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', memory.rss),
        ...g(
          'process_start_time_seconds',
          'gauge',
          'Start time of the process since the Unix epoch, in seconds.',
          startSeconds,
        ),
        ...g('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, in bytes.', memory.heapUsed),
        ...g('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size, in bytes.', memory.heapTotal),
        ...g(
          'nodejs_eventloop_lag_seconds',
          'gauge',
          'Mean event-loop delay since the previous scrape, in seconds.',
          lag,
        ),
        ...g(
          'nodejs_eventloop_lag_p99_seconds',
          'gauge',
          '99th percentile of the event-loop delay since the previous scrape.',
          lagP99,
        ),
      ];
    },
    stop() {
      loop.disable();
    },
  };
}
