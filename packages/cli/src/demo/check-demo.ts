import { demoMessageGrayscale } from './demo-resources.js';
import type { DemoService } from './demo-services.js';
import type { RunningDemo } from './run-demo.js';
import { CONSUMED, consumedCount, pendingBacklogs, waitForRest } from './wait-for-rest.js';

const GRAY_CHAIN = /^A\[[^\]]+\]\[gray\] -> B\[[^\]]+\]\[gray\] -> C\[[^\]]+\]\[gray\]$/;
const BASE_CHAIN = /^A\[[^\]]+\]\[base\] -> B\[[^\]]+\]\[base\] -> C\[[^\]]+\]\[base\]$/;
const CONSUMED_GRAY = /topic:TEST_MQ,producer:C\[[^\]]+\]\[gray\],invoke result:/;
const GRAY_ASYNC_PATH = /invoke result:A\[[^\]]+\]\[gray\] -> B\[[^\]]+\]\[gray\] -> C\[[^\]]+\]\[gray\]$/;
/** How long the scenario must stay silent after the asynchronous path ran once. */
const REST_MS = 15000;

/**
 * The reference document's Steps 5 and 6, asserted: returns the failures (empty
 * when every expectation holds). Each line printed says what was checked. Beyond
 * each expectation holding once, the scenario must come to rest: one call gives one
 * message, consumed once per group, and then nothing moves.
 */
export async function checkDemo(demo: RunningDemo, log: (line: string) => void): Promise<string[]> {
  const failures: string[] = [];
  const expect = (ok: boolean, what: string, detail: string) => {
    log(`  ${ok ? '✓' : '✗'} ${what}${ok ? '' : `: ${detail}`}`);
    if (!ok) failures.push(`${what}: ${detail}`);
  };
  const get = (query: string) => fetch(`${demo.gateway}/A/dubbo${query}`).then((r) => r.text());
  const service = (name: string) => demo.services.find((s) => s.name === name)!;
  const aBase = service('spring-cloud-a');
  const aGray = service('spring-cloud-a-gray');
  const consumedBy = async (a: DemoService, from: number, timeoutMs: number) =>
    a.waitForLine(CONSUMED_GRAY, timeoutMs, from).then(
      (line) => line,
      () => undefined,
    );
  const consumedSince = (a: DemoService, from: number) =>
    a.lines.slice(from).filter((line) => CONSUMED.test(line));
  /** After one call: silence for REST_MS, `expected` asynchronous lines per A, no backlog. */
  const expectRest = async (
    when: string,
    from: Map<DemoService, number>,
    expected: Map<DemoService, 0 | 1>,
  ) => {
    await new Promise((r) => setTimeout(r, REST_MS));
    for (const [a, count] of expected) {
      const lines = consumedSince(a, from.get(a)!);
      expect(
        lines.length === count,
        `${when}: ${a.name} ${count === 0 ? 'logs no asynchronous path' : 'logs the asynchronous path once'}, then nothing for ${REST_MS / 1000} s`,
        `${lines.length} line(s), the last: ${lines.at(-1) ?? '(none)'}`,
      );
    }
    const pending = await demo.backlogs().then(pendingBacklogs, (error: Error) => [error.message]);
    expect(
      pending.length === 0,
      `${when}: every consumer group of TEST_MQ has a backlog of 0`,
      pending.join('; '),
    );
  };
  const positions = () => new Map(demo.services.map((s) => [s, s.lines.length]));

  // Step 5: the synchronous path.
  const gray = await get('?name=xiaoming');
  expect(GRAY_CHAIN.test(gray), 'name=xiaoming is gray at every hop', gray);
  let allBase = true;
  let sample = '';
  for (let i = 0; i < 5; i++) {
    sample = await get('?name=someone');
    allBase &&= BASE_CHAIN.test(sample);
  }
  expect(allBase, 'without name=xiaoming everything stays on the baseline', sample);
  // The calls above each produced a message; let them be consumed before counting one call's.
  await waitForRest(demo, 3000, 60000).then(
    () => expect(true, 'the calls of Step 5 are consumed and the scenario rests', ''),
    (error: Error) => expect(false, 'the calls of Step 5 are consumed and the scenario rests', error.message),
  );

  // Step 6, before: the baseline also consumes gray messages; A-gray's follow-up calls stay gray.
  let from = positions();
  await get('?name=xiaoming');
  const grayLine = await consumedBy(aGray, from.get(aGray)!, 30000);
  expect(
    grayLine !== undefined && GRAY_ASYNC_PATH.test(grayLine),
    'the gray message is consumed by A-gray and its async path A → B → C stays gray',
    grayLine ?? 'A-gray consumed nothing within 30 s',
  );
  const baseLine = await consumedBy(aBase, from.get(aBase)!, 30000);
  expect(
    baseLine !== undefined,
    'before the ignore setting the baseline also consumes the gray message',
    'A-base consumed nothing within 30 s',
  );
  await expectRest(
    'one call before the ignore setting',
    from,
    new Map<DemoService, 0 | 1>([
      [aGray, 1],
      [aBase, 1],
    ]),
  );

  // Step 6, the change: the baseline ignores gray, with no restart of A.
  const pid = aBase.process.pid;
  await demo.apply(demoMessageGrayscale(['gray']));
  // The agents get the change within a second; a RocketMQ baseline consumer filters with
  // it from its next receive on, and a receive already open may last one long poll (5 s)
  // more (docs/message-grayscale.md). A call before that may still reach the baseline.
  await new Promise((r) => setTimeout(r, 8000));
  from = positions();
  await get('?name=xiaoming');
  const grayAfter = await consumedBy(aGray, from.get(aGray)!, 30000);
  expect(
    grayAfter !== undefined,
    'after the ignore setting A-gray consumes the gray message',
    'A-gray consumed nothing within 30 s',
  );
  await expectRest(
    'one call after the ignore setting',
    from,
    new Map<DemoService, 0 | 1>([
      [aGray, 1],
      [aBase, 0],
    ]),
  );
  expect(
    consumedCount(aBase, from.get(aBase)!) === 0,
    'after the ignore setting the baseline no longer consumes it',
    consumedSince(aBase, from.get(aBase)!).join(' | '),
  );
  expect(
    aBase.process.pid === pid && aBase.process.exitCode === null,
    'the change applied without restarting A',
    `A-base pid ${pid} → ${aBase.process.pid}, exit ${aBase.process.exitCode}`,
  );
  return failures;
}
