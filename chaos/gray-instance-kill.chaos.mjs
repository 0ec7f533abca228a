// (b) The only gray instance is SIGKILLed under load. Gray requests must fall back to
// the baseline (the lane's fallback: baseline) without failing: the goal is below
// 0.1% failed requests over the run.
//
// Chain a → b → c with one gray instance of b (b-gray) and nothing else gray. Two
// streams of steady load at a (gray: `x-user: gray`; baseline) run for BEFORE s, then
// b-gray is SIGKILLed (its registration stays until the control plane's instance TTL,
// default 15 s, runs out) and the load runs AFTER s more. After the kill a gray
// request is right when it answers 200 through the baseline b.
import { rm } from 'node:fs/promises';
import {
  apply,
  grayLane,
  kill,
  sleep,
  startApp,
  startControlPlane,
  steadyLoad,
  stopAll,
  tempDir,
} from './support/cluster.mjs';
import { createTally, crossedGray, waitForLanes } from './support/tally.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const BEFORE = env('CHAOS_BEFORE', 5);
const AFTER = env('CHAOS_AFTER', 20);
const CONCURRENCY = env('CHAOS_CONCURRENCY', 4);
const WINDOW = 5;
const GOAL = 0.001;

export default async function run() {
  const data = await tempDir('cp');
  const cacheDir = await tempDir('cache');
  const services = [];
  try {
    const cp = await startControlPlane({ data });
    services.push(cp);
    await apply(cp.url, grayLane());
    const start = (o) =>
      startApp({ server: cp.url, cacheDir, ...o }).then((s) => {
        services.push(s);
        return s;
      });
    await start({ app: 'c' });
    await start({ app: 'b', next: 'c' });
    const bGray = await start({ app: 'b', tag: 'gray', next: 'c' });
    const a = await start({ app: 'a', next: 'b' });
    await waitForLanes(a.url);

    // After the kill, answers are counted in windows of WINDOW s, to show when routing recovers.
    const windows = Array.from(
      { length: Math.ceil(AFTER / WINDOW) },
      (_, i) => `killed +${i * WINDOW}–${(i + 1) * WINDOW} s`,
    );
    const phases = ['gray instance up', ...windows];
    const tally = createTally(phases);
    let killedAt = 0;
    // When b-gray was gone (ms since the load started): a gray request sent before then
    // may still have been answered by it, which is its lane, not a wrong one.
    let goneAt = Number.POSITIVE_INFINITY;
    const loadStarted = performance.now();
    const phaseNow = () =>
      killedAt === 0
        ? phases[0]
        : windows[Math.min(windows.length - 1, Math.floor((Date.now() - killedAt) / 1000 / WINDOW))];
    const load = steadyLoad({
      target: () => a.url,
      streams: [
        { name: 'gray', headers: { 'x-user': 'gray' }, concurrency: CONCURRENCY },
        { name: 'baseline', headers: { 'x-user': 'someone' }, concurrency: CONCURRENCY },
      ],
      // With no gray instance left, the baseline answering a gray request is the fallback.
      classify: (stream, answer, _at, sentAt) => {
        const phase = phaseNow();
        const expectGray =
          stream.name === 'gray' && (phase === phases[0] || (sentAt < goneAt && crossedGray(answer.text)));
        tally.count(phase, stream.name, answer, expectGray);
      },
    });
    await sleep(BEFORE * 1000);
    // Requests in flight at the kill count as after it: they fail because of it.
    killedAt = Date.now();
    await kill(bGray);
    goneAt = performance.now() - loadStarted;
    await sleep(AFTER * 1000);
    await load.stop();

    const rows = tally.rows();
    const requests = rows.reduce((n, r) => n + r.requests, 0);
    const failed = rows.reduce((n, r) => n + r.failed, 0);
    const wrongLane = rows.reduce((n, r) => n + r.wrongLane, 0);
    const failedRatio = requests === 0 ? 0 : failed / requests;
    rows.push({
      phase: 'whole run',
      stream: 'both',
      requests,
      failed,
      wrongLane,
      failedRatio: Number(failedRatio.toPrecision(3)),
    });
    return {
      goal: `failed requests below ${GOAL * 100}% of the run, gray requests fall back to the baseline`,
      met: failedRatio < GOAL && wrongLane === 0,
      rows,
      figures: { requests, failed, wrongLane, failedRatio, ...tally.figures() },
    };
  } finally {
    await stopAll(services);
    await Promise.all([
      rm(data, { recursive: true, force: true }),
      rm(cacheDir, { recursive: true, force: true }),
    ]);
  }
}
