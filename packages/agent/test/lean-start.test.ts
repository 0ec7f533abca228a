import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What an app loads at start because of the agent: the static import graph of
// `--import @graylane/agent/register`, read from the built files (dynamic imports and
// on-demand requires are left out: they load only when used).
const agentDist = fileURLToPath(new URL('../dist/', import.meta.url));
const staticImport = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/g;

function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const require = createRequire(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(staticImport)) {
      if (specifier!.startsWith('node:')) continue;
      if (specifier!.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier!));
        continue;
      }
      const name = specifier!.startsWith('@')
        ? specifier!.split('/').slice(0, 2).join('/')
        : specifier!.split('/')[0]!;
      packages.add(name);
      // Graylane's own packages are followed; a third-party package reached at all is the finding.
      if (name.startsWith('@graylane/')) queue.push(require.resolve(specifier!));
    }
  }
  return packages;
}

describe('the agent at start', () => {
  it('loads no schema, YAML, regex or undici package into the app', () => {
    const reached = packagesReached(`${agentDist}register.js`);
    expect([...reached].sort()).toEqual(['@graylane/core']);
  });

  it('the same walk from core’s main entry does find zod and yaml (the check can fail)', () => {
    const coreMain = createRequire(`${agentDist}register.js`).resolve('@graylane/core');
    const reached = packagesReached(coreMain);
    expect(reached).toContain('zod');
    expect(reached).toContain('yaml');
  });
});
