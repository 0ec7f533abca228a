#!/usr/bin/env node
// `npm run chaos [-- NAME...]`: runs chaos/NAME.chaos.mjs (all of them without a name),
// prints each one's table and writes chaos/results/NAME.json. Everything runs on
// loopback and every scenario is bounded in time; the counterpart of bench/run.mjs.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from '../bench/measure.mjs';
import { runSuite } from '../bench/run-suite.mjs';

// Each scenario returns { goal, met, rows, figures }: rows for the table, figures
// (counts and ratios of this one run) for the JSON record.
await runSuite({
  dir: dirname(fileURLToPath(import.meta.url)),
  suffix: 'chaos',
  what: 'scenario',
  summarize: (name, result) => {
    table(result.rows);
    console.log(`${name}: goal ${result.goal} — ${result.met ? 'met' : 'NOT met'}`);
  },
});
