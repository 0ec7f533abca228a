#!/usr/bin/env node
// `npm run bench [-- NAME...]`: runs bench/NAME.bench.mjs (all of them without a
// name), prints each one's table and writes bench/results/NAME.json.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = (await readdir(here))
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}: choose from ${available.join(', ')}`);
  process.exit(2);
}

await mkdir(join(here, 'results'), { recursive: true });
let failed = false;
for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n== ${name} ==`);
  try {
    const { default: run } = await import(join(here, `${name}.bench.mjs`));
    const result = await run();
    const record = { name, ...result, node: process.version, date: new Date().toISOString() };
    await writeFile(join(here, 'results', `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    console.log(
      `${name}: ${result.metric} = ${fmt(result.value)} ${result.unit}; peer ${result.peer} = ${fmt(result.peerValue)}; ratio ${fmt(result.ratio)}`,
    );
  } catch (error) {
    failed = true;
    console.error(`${name} failed: ${error?.stack ?? error}`);
  }
}
process.exit(failed ? 1 : 0);

function fmt(n) {
  return typeof n === 'number' ? Number(n.toPrecision(4)).toLocaleString('en-US') : String(n);
}
