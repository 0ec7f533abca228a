// Counts answers per phase and stream: ok (200 on the expected lane), failed (no
// answer or not 200), wrong lane (200, but the gray stream missed b-gray or the
// baseline stream crossed it). The first failures are kept as samples.
import { get, sleep } from './cluster.mjs';

export const crossedGray = (text) => /-gray\b/.test(text);

export function createTally(phases) {
  const counts = new Map();
  const samples = [];
  const cell = (phase, stream) => {
    const key = `${phase}|${stream}`;
    if (!counts.has(key))
      counts.set(key, { phase, stream, requests: 0, failed: 0, wrongLane: 0, servedBy: {} });
    return counts.get(key);
  };
  return {
    count(phase, stream, answer, expectGray = stream === 'gray') {
      const c = cell(phase, stream);
      c.requests++;
      if (answer.status !== 200) {
        c.failed++;
        if (samples.length < 5)
          samples.push(`${phase}/${stream}: ${answer.status} ${answer.text.slice(0, 160)}`);
      } else if (crossedGray(answer.text) !== expectGray) {
        c.wrongLane++;
        if (samples.length < 5) samples.push(`${phase}/${stream}: wrong lane: ${answer.text.slice(0, 160)}`);
      }
    },
    total() {
      return [...counts.values()].reduce((n, c) => n + c.requests, 0);
    },
    rows() {
      const order = (c) => phases.indexOf(c.phase);
      return [...counts.values()]
        .sort((x, y) => order(x) - order(y))
        .map(({ phase, stream, requests, failed, wrongLane }) => ({
          phase,
          stream,
          requests,
          failed,
          wrongLane,
          failedRatio: requests === 0 ? 0 : Number((failed / requests).toPrecision(3)),
        }));
    },
    figures() {
      return { counts: this.rows(), samples };
    },
  };
}

/** Waits until a gray request crosses b-gray and a baseline one does not. */
export async function waitForLanes(url, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    const gray = await get(`${url}/chaos`, { 'x-user': 'gray' });
    const base = await get(`${url}/chaos`, { 'x-user': 'someone' });
    last = `${gray.status} ${gray.text} | ${base.status} ${base.text}`;
    if (gray.status === 200 && crossedGray(gray.text) && base.status === 200 && !crossedGray(base.text))
      return;
    await sleep(200);
  }
  throw new Error(`the lanes never worked end to end (last: ${last})`);
}
