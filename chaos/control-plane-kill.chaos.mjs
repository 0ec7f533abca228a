// (a) The control plane is SIGKILLed under load. Agents keep routing with the last
// configuration they hold; an app started while the control plane is down routes from
// the configuration its predecessor cached on disk.
//
// Chain a → b → c with one gray instance of b, all under the agent; requests with
// `x-user: gray` are gray (entry rule at a), others stay on the baseline. Two streams
// of steady load (gray and baseline) run for UP s, then the control plane is killed and
// the load runs DOWN s more. Meanwhile a second process of app a starts with the same
// cache folder (the control plane unreachable) and gets PROBES requests of each kind
// directly. Every answer is checked: 200, and through b-gray exactly when it was gray.
import { rm } from 'node:fs/promises';
import {
  apply,
  get,
  grayLane,
  kill,
  sleep,
  startApp,
  startControlPlane,
  steadyLoad,
  stopAll,
  tempDir,
} from './support/cluster.mjs';
import { createTally, waitForLanes } from './support/tally.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const UP = env('CHAOS_UP', 5);
const DOWN = env('CHAOS_DOWN', 15);
const CONCURRENCY = env('CHAOS_CONCURRENCY', 4);
const PROBES = env('CHAOS_PROBES', 50);

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
    await start({ app: 'b', tag: 'gray', next: 'c' });
    const a = await start({ app: 'a', next: 'b' });
    await waitForLanes(a.url);

    const tally = createTally(['control plane up', 'control plane killed']);
    let phase = 'control plane up';
    const load = steadyLoad({
      target: () => a.url,
      streams: [
        { name: 'gray', headers: { 'x-user': 'gray' }, concurrency: CONCURRENCY },
        { name: 'baseline', headers: { 'x-user': 'someone' }, concurrency: CONCURRENCY },
      ],
      classify: (stream, answer) => tally.count(phase, stream.name, answer),
    });
    await sleep(UP * 1000);
    await kill(cp);
    phase = 'control plane killed';
    const downStarted = Date.now();

    // An app (re)started while the control plane is down: only its disk cache can route it.
    const restarted = await start({ app: 'a', next: 'b', name: 'a-restarted' });
    const probes = createTally(['restarted while down']);
    for (let i = 0; i < PROBES; i++) {
      probes.count('restarted while down', 'gray', await get(`${restarted.url}/chaos`, { 'x-user': 'gray' }));
      probes.count(
        'restarted while down',
        'baseline',
        await get(`${restarted.url}/chaos`, { 'x-user': 'someone' }),
      );
    }
    await sleep(Math.max(0, DOWN * 1000 - (Date.now() - downStarted)));
    await load.stop();

    const rows = [...tally.rows(), ...probes.rows()];
    const failed = rows.reduce((n, r) => n + r.failed + r.wrongLane, 0);
    return {
      goal: '0 failed or misrouted requests while the control plane is down; an app restarted meanwhile routes every request from its disk cache',
      met: failed === 0,
      rows,
      figures: { ...tally.figures(), ...probes.figures() },
    };
  } finally {
    await stopAll(services);
    await Promise.all([
      rm(data, { recursive: true, force: true }),
      rm(cacheDir, { recursive: true, force: true }),
    ]);
  }
}
