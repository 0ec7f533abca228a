// (c) Two control-plane replicas share one PostgreSQL; one is SIGKILLed under load.
// The agents reach the control plane through a round-robin TCP forwarder on loopback
// (the Kubernetes Service of a real deployment), so each watch stream, heartbeat and
// registration lands on either replica.
//
// Chain a → b → c with one gray instance of b. Load as in (a) for BEFORE s; then
// replica 1 is SIGKILLed and the load runs AFTER s more. CHANGE_AT s after the kill a
// lane change goes through the forwarder (users `gray2` become gray too) while a third
// stream sends `x-user: gray2`; a reader polls the lanes through the forwarder all along.
// Counted: failed app requests (goal 0), failed control-plane reads, gray2 answers
// before and after the change reached a, and the instances still registered at the end.
import {
  apply,
  get,
  grayLane,
  kill,
  NAMESPACE,
  sleep,
  startApp,
  startControlPlane,
  steadyLoad,
  stopAll,
  TOKEN,
  tempDir,
} from './support/cluster.mjs';
import { createTestSchema } from './support/postgres-schema.mjs';
import { createTally, waitForLanes } from './support/tally.mjs';
import { startBalancer } from './support/tcp-balancer.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const BEFORE = env('CHAOS_BEFORE', 5);
const AFTER = env('CHAOS_AFTER', 20);
const CHANGE_AT = env('CHAOS_CHANGE_AT', 3);
const CONCURRENCY = env('CHAOS_CONCURRENCY', 4);

export default async function run() {
  const schema = await createTestSchema('gl_chaos');
  const cacheDir = await tempDir('cache');
  const services = [];
  let balancer;
  try {
    const r1 = await startControlPlane({ postgres: schema.url });
    const r2 = await startControlPlane({ postgres: schema.url });
    services.push(r1, r2);
    balancer = await startBalancer([r1.port, r2.port]);
    const cp = balancer.url;
    await apply(cp, grayLane());
    const start = (o) =>
      startApp({ server: cp, cacheDir, ...o }).then((s) => {
        services.push(s);
        return s;
      });
    await start({ app: 'c' });
    await start({ app: 'b', next: 'c' });
    await start({ app: 'b', tag: 'gray', next: 'c' });
    const a = await start({ app: 'a', next: 'b' });
    await waitForLanes(a.url);

    const phases = ['both replicas', 'replica 1 killed', 'after the change'];
    const tally = createTally(phases);
    let phase = phases[0];
    const load = steadyLoad({
      target: () => a.url,
      streams: [
        { name: 'gray', headers: { 'x-user': 'gray' }, concurrency: CONCURRENCY },
        { name: 'baseline', headers: { 'x-user': 'someone' }, concurrency: CONCURRENCY },
        { name: 'gray2', headers: { 'x-user': 'gray2' }, concurrency: 1 },
      ],
      // gray2 becomes gray with the change; until it reaches a it stays on the baseline.
      classify: (stream, answer) => {
        if (stream.name !== 'gray2') return tally.count(phase, stream.name, answer);
        tally.count(phase, 'gray2', answer, phase === 'after the change');
      },
    });
    const reads = { requests: 0, failed: 0 };
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const r = await get(`${cp}/v1/namespaces/${NAMESPACE}/lanes`, { authorization: `Bearer ${TOKEN}` });
        reads.requests++;
        if (r.status !== 200) reads.failed++;
        await sleep(50);
      }
    })();

    await sleep(BEFORE * 1000);
    phase = phases[1];
    await kill(r1);
    await sleep(CHANGE_AT * 1000);
    await apply(cp, grayLane(['gray', 'gray2']));
    phase = phases[2];
    await sleep((AFTER - CHANGE_AT) * 1000);
    await load.stop();
    reading = false;
    await reader;

    const listed = await get(`${cp}/v1/namespaces/${NAMESPACE}/instances`, {
      authorization: `Bearer ${TOKEN}`,
    });
    const instances = listed.status === 200 ? (JSON.parse(listed.text).items ?? []).length : -1;
    const rows = [
      ...tally.rows(),
      {
        phase: 'whole run',
        stream: 'control-plane reads',
        requests: reads.requests,
        failed: reads.failed,
        wrongLane: 0,
        failedRatio: Number((reads.failed / Math.max(1, reads.requests)).toPrecision(3)),
      },
    ];
    const appFailed = tally.rows().reduce((n, r) => n + r.failed, 0);
    const misrouted = tally
      .rows()
      .filter((r) => r.stream !== 'gray2')
      .reduce((n, r) => n + r.wrongLane, 0);
    return {
      goal: '0 failed app requests and 0 failed control-plane reads with one replica killed; the change made after the kill reaches the app; all 4 instances stay registered',
      met: appFailed === 0 && misrouted === 0 && reads.failed === 0 && instances === 4,
      rows,
      figures: {
        appFailed,
        misrouted,
        controlPlaneReads: reads,
        gray2OnBaselineAfterChange: tally
          .rows()
          .find((r) => r.phase === 'after the change' && r.stream === 'gray2')?.wrongLane,
        instancesRegisteredAtEnd: instances,
        ...tally.figures(),
      },
    };
  } finally {
    await stopAll(services);
    await balancer?.close();
    await schema.drop();
  }
}
