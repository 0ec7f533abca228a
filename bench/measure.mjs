// Shared timing helpers for in-process micro-benchmarks.

/**
 * Runs each function in `subjects` for `iterations` calls per round, alternating
 * subjects round by round (so drift in machine speed hits both alike), and returns
 * the median nanoseconds per call of each.
 */
export function compare(subjects, { iterations = 200_000, rounds = 11, warmup = 3 } = {}) {
  const names = Object.keys(subjects);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  let sink = 0;
  for (let round = 0; round < rounds + warmup; round++) {
    for (const name of names) {
      const fn = subjects[name];
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) sink ^= fn(i) ? 1 : 0;
      const ns = Number(process.hrtime.bigint() - start) / iterations;
      if (round >= warmup) samples[name].push(ns);
    }
  }
  if (sink === 2) console.log('unreachable'); // keeps the results observable
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function table(rows) {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(keys));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(keys.map((k) => r[k])));
}
