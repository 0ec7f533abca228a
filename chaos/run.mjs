#!/usr/bin/env node
// `npm run chaos [-- NAME...]`: runs chaos/NAME.chaos.mjs (all of them without a name),
// prints each one's table and writes chaos/results/NAME.json. Everything runs on
// loopback and every scenario is bounded in time; the counterpart of bench/run.mjs.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from '../bench/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const available = (await readdir(here))
  .filter((f) => f.endsWith('.chaos.mjs'))
  .map((f) => f.slice(0, -'.chaos.mjs'.length))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}: choose from ${available.join(', ')}`);
  process.exit(2);
}

await mkdir(join(here, 'results'), { recursive: true });
let failed = false;
for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n== ${name} ==`);
  try {
    const { default: run } = await import(join(here, `${name}.chaos.mjs`));
    // Each scenario returns { goal, met, rows, figures }: rows for the table, figures
    // (counts and ratios of this one run) for the JSON record.
    const result = await run();
    const record = { name, ...result, node: process.version, date: new Date().toISOString() };
    await writeFile(join(here, 'results', `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    table(result.rows);
    console.log(`${name}: goal ${result.goal} — ${result.met ? 'met' : 'NOT met'}`);
  } catch (error) {
    failed = true;
    console.error(`${name} failed: ${error?.stack ?? error}`);
  }
}
process.exit(failed ? 1 : 0);
