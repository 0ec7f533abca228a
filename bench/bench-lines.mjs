// The Node lines a benchmark runs its services on: every line installed by
// scripts/ensure-node-lines.sh (`make bench` runs it), narrowed by GRAYLANE_NODE_LINES
// (e.g. `24` or `20,26`); without any installed line, the node running the bench.
import { installedNodeLines } from '../scripts/node-lines.mjs';

export function benchLines() {
  const wanted = (process.env.GRAYLANE_NODE_LINES ?? '').split(',').filter(Boolean).map(Number);
  const lines = installedNodeLines().filter((l) => wanted.length === 0 || wanted.includes(l.major));
  if (lines.length > 0) return lines;
  console.log('no Node line installed (./scripts/ensure-node-lines.sh): running on this node only');
  const version = process.versions.node;
  return [{ major: Number(version.split('.')[0]), version, bin: process.execPath }];
}

/** The line a benchmark's headline figure comes from: Node 24 when it ran, else the newest. */
export function headlineLine(byMajor) {
  return byMajor[24] ?? Object.values(byMajor).at(-1);
}
