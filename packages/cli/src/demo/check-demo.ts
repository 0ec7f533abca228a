import { demoMessageGrayscale } from './demo-resources.js';
import type { RunningDemo } from './run-demo.js';

const GRAY_CHAIN = /^A\[[^\]]+\]\[gray\] -> B\[[^\]]+\]\[gray\] -> C\[[^\]]+\]\[gray\]$/;
const BASE_CHAIN = /^A\[[^\]]+\]\[base\] -> B\[[^\]]+\]\[base\] -> C\[[^\]]+\]\[base\]$/;
const CONSUMED_GRAY = /topic:TEST_MQ,producer:C\[[^\]]+\]\[gray\],invoke result:/;
const QUIET_MS = 12000;

/**
 * The reference document's Steps 5 and 6, asserted: returns the failures (empty
 * when every expectation holds). Each line printed says what was checked.
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
  const consumedBy = async (a: typeof aBase, from: number, timeoutMs: number) =>
    a.waitForLine(CONSUMED_GRAY, timeoutMs, from).then(
      (line) => line,
      () => undefined,
    );

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

  // Step 6, before: the baseline also consumes gray messages; A-gray's follow-up calls stay gray.
  let fromBase = aBase.lines.length;
  let fromGray = aGray.lines.length;
  await get('?name=xiaoming');
  const grayLine = await consumedBy(aGray, fromGray, 30000);
  expect(
    grayLine !== undefined &&
      /invoke result:A\[[^\]]+\]\[gray\] -> B\[[^\]]+\]\[gray\] -> C\[[^\]]+\]\[gray\]$/.test(grayLine),
    'the gray message is consumed by A-gray and its async path A → B → C stays gray',
    grayLine ?? 'A-gray consumed nothing within 30 s',
  );
  const baseLine = await consumedBy(aBase, fromBase, 30000);
  expect(
    baseLine !== undefined,
    'before the ignore setting the baseline also consumes the gray message',
    'A-base consumed nothing within 30 s',
  );

  // Step 6, the change: the baseline ignores gray, with no restart of A.
  const pid = aBase.process.pid;
  await demo.apply(demoMessageGrayscale(['gray']));
  await new Promise((r) => setTimeout(r, 3000));
  fromBase = aBase.lines.length;
  fromGray = aGray.lines.length;
  await get('?name=xiaoming');
  const grayAfter = await consumedBy(aGray, fromGray, 30000);
  expect(
    grayAfter !== undefined,
    'after the ignore setting A-gray consumes the gray message',
    'A-gray consumed nothing within 30 s',
  );
  const baseAfter = await consumedBy(aBase, fromBase, QUIET_MS);
  expect(
    baseAfter === undefined,
    'after the ignore setting the baseline no longer consumes it',
    baseAfter ?? '',
  );
  expect(
    aBase.process.pid === pid && aBase.process.exitCode === null,
    'the change applied without restarting A',
    `A-base pid ${pid} → ${aBase.process.pid}, exit ${aBase.process.exitCode}`,
  );
  return failures;
}
