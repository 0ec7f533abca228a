import type { ConsumerBacklog } from '../rocketmq/consumer-backlog.js';
import { sleep } from '../rocketmq/sleep.js';
import type { DemoService } from './demo-services.js';

/** The line A prints for each message it consumed: the asynchronous path. */
export const CONSUMED = /^topic:TEST_MQ,producer:/;

export interface RestProbe {
  services: DemoService[];
  /** The backlog of every consumer group of the demo's topic. */
  backlogs(): Promise<ConsumerBacklog[]>;
}

/** How many messages a service has consumed so far (its asynchronous-path lines). */
export function consumedCount(service: DemoService, from = 0): number {
  return service.lines.slice(from).filter((line) => CONSUMED.test(line)).length;
}

/** Backlogs that are not empty, as `GROUP: N behind, M in flight`. */
export function pendingBacklogs(backlogs: ConsumerBacklog[]): string[] {
  return backlogs
    .filter((b) => b.diff !== 0 || b.inflight !== 0)
    .map((b) => `${b.group}: ${b.diff} behind, ${b.inflight} in flight`);
}

/**
 * Waits until the demo has come to rest: no service consumed anything for `quietMs`
 * and no consumer group has a backlog. Rejects at `timeoutMs` with what still moves.
 */
export async function waitForRest(probe: RestProbe, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const total = () => probe.services.reduce((n, s) => n + consumedCount(s), 0);
  let last = '';
  for (;;) {
    const before = total();
    await sleep(quietMs);
    const pending = pendingBacklogs(await probe.backlogs());
    const consumed = total() - before;
    if (consumed === 0 && pending.length === 0) return;
    last = [`${consumed} message(s) consumed in the last ${quietMs} ms`, ...pending].join('; ');
    if (Date.now() > deadline) {
      throw new Error(`the demo did not come to rest within ${timeoutMs / 1000} s: ${last}`);
    }
  }
}
