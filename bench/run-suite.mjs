// One runner for `npm run bench` and `npm run chaos`: runs DIR/NAME.SUFFIX.mjs for the
// names given (all of them without a name), writes DIR/results/NAME.json with the run's
// Node version and date, and prints the summary line each suite makes of a result.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function runSuite({ dir, suffix, what, summarize }) {
  const ending = `.${suffix}.mjs`;
  const available = (await readdir(dir))
    .filter((f) => f.endsWith(ending))
    .map((f) => f.slice(0, -ending.length))
    .sort();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown ${what} ${unknown.join(', ')}: choose from ${available.join(', ')}`);
    process.exit(2);
  }

  await mkdir(join(dir, 'results'), { recursive: true });
  let failed = false;
  for (const name of wanted.length > 0 ? wanted : available) {
    console.log(`\n== ${name} ==`);
    try {
      const { default: run } = await import(join(dir, `${name}${ending}`));
      const result = await run();
      const record = { name, ...result, node: process.version, date: new Date().toISOString() };
      await writeFile(join(dir, 'results', `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
      summarize(name, result);
    } catch (error) {
      failed = true;
      console.error(`${name} failed: ${error?.stack ?? error}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
