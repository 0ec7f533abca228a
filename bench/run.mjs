#!/usr/bin/env node
// `npm run bench [-- NAME...]`: runs bench/NAME.bench.mjs (all of them without a
// name), prints each one's table and writes bench/results/NAME.json.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSuite } from './run-suite.mjs';

await runSuite({
  dir: dirname(fileURLToPath(import.meta.url)),
  suffix: 'bench',
  what: 'benchmark',
  summarize: (name, result) =>
    console.log(
      `${name}: ${result.metric} = ${fmt(result.value)} ${result.unit}; peer ${result.peer} = ${fmt(result.peerValue)}; ratio ${fmt(result.ratio)}`,
    ),
});

function fmt(n) {
  return typeof n === 'number' ? Number(n.toPrecision(4)).toLocaleString('en-US') : String(n);
}
