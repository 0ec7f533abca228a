import { describe, expect, it } from 'vitest';
import { createMetricsRecorder, grpcCodeClass, httpCodeClass } from './metrics-recorder.js';

describe('the metrics recorder', () => {
  it('keeps real sums and bucket counts per lane and code class, and starts over at each flush', () => {
    const recorder = createMetricsRecorder();
    recorder.recordInbound(3, '2xx', 'gray'); // 0.003 s: the 0.005 bucket
    recorder.recordInbound(40, '2xx', 'gray'); // 0.04 s: the 0.05 bucket
    recorder.recordInbound(20_000, '5xx', 'gray'); // slower than every bound
    recorder.recordOutbound({
      target: 'b',
      tag: 'gray',
      targetTag: '',
      fallback: true,
      ok: false,
      durationMs: 1,
    });
    recorder.recordMessage({ system: 'kafka', direction: 'produced', tag: 'gray', count: 3 });
    const report = recorder.flush();
    const ok = report.inbound.find((s) => s.codeClass === '2xx')!;
    expect(ok.count).toBe(2);
    expect(ok.sumSeconds).toBeCloseTo(0.043, 9);
    expect(ok.counts[report.bucketsSeconds.indexOf(0.005)]).toBe(1);
    expect(ok.counts[report.bucketsSeconds.indexOf(0.05)]).toBe(1);
    const failed = report.inbound.find((s) => s.codeClass === '5xx')!;
    expect(failed.counts.at(-1)).toBe(1);
    expect(report.outbound).toEqual([
      expect.objectContaining({
        target: 'b',
        tag: 'gray',
        targetTag: '',
        fallback: true,
        count: 1,
        errors: 1,
      }),
    ]);
    expect(report.messages).toEqual([{ tag: 'gray', direction: 'produced', system: 'kafka', count: 3 }]);
    expect(report.runtime.heapUsedBytes).toBeGreaterThan(0);
    const next = recorder.flush();
    expect([next.inbound, next.outbound, next.messages]).toEqual([[], [], []]);
    recorder.stop();
  });

  it('counts alternating edges and lanes each in its own series, also after a flush', () => {
    const recorder = createMetricsRecorder();
    const hop = (tag: string, targetTag: string) =>
      recorder.recordOutbound({
        target: 'c',
        tag,
        targetTag,
        fallback: tag !== targetTag,
        ok: true,
        durationMs: 1,
      });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) {
        hop('gray', 'gray');
        hop('gray', '');
        hop('', '');
        recorder.recordInbound(1, '2xx', 'gray');
        recorder.recordInbound(1, '2xx', '');
      }
      const report = recorder.flush();
      expect(report.outbound.map((s) => [s.tag, s.targetTag, s.fallback, s.count])).toEqual([
        ['gray', 'gray', false, 3],
        ['gray', '', true, 3],
        ['', '', false, 3],
      ]);
      expect(report.inbound.map((s) => [s.tag, s.count])).toEqual([
        ['gray', 3],
        ['', 3],
      ]);
    }
    recorder.stop();
  });

  it('maps HTTP statuses and gRPC codes onto code classes', () => {
    expect([200, 302, 404, 503, 0].map(httpCodeClass)).toEqual(['2xx', '3xx', '4xx', '5xx', '5xx']);
    // OK, CANCELLED, INVALID_ARGUMENT, NOT_FOUND, UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE
    expect([0, 1, 3, 5, 2, 4, 13, 14].map(grpcCodeClass)).toEqual([
      '2xx',
      '4xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      '5xx',
      '5xx',
    ]);
  });
});
