import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

export interface BundledPackage {
  name: string;
  version: string;
}

interface PackageJson {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Copies @graylane/agent with its runtime dependencies into `dest`, laid out as
 * the init container copies it into the pod: `register.cjs`, `dist/`,
 * `package.json` and `node_modules/<dependency>`. The agent image's build stage
 * runs this (`graylane injector bundle --out /agent`), so the image and the
 * tests carry the same folder.
 */
export function bundleAgent(dest: string): BundledPackage[] {
  const require = createRequire(import.meta.url);
  const agentDir = dirname(realpathSync(require.resolve('@graylane/agent/register.cjs')));
  if (!existsSync(join(agentDir, 'dist', 'register.js'))) {
    throw new Error(
      `@graylane/agent is not built (no ${join(agentDir, 'dist', 'register.js')}): run "npx tsc -b" first`,
    );
  }
  mkdirSync(dest, { recursive: true });
  const copied = new Map<string, BundledPackage>();
  const agent = copyPackage(agentDir, dest);
  copied.set(agent.name, { name: agent.name, version: agent.version });
  const queue: [string, PackageJson][] = [[agentDir, agent]];
  while (queue.length) {
    const [from, pkg] = queue.shift()!;
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const dir = findPackage(from, name);
      if (dir === undefined) {
        if (pkg.optionalDependencies?.[name]) continue;
        throw new Error(`${pkg.name} needs ${name}, which is not installed`);
      }
      const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson).version;
      const seen = copied.get(name);
      if (seen) {
        // A flat node_modules holds one version per name; the agent's tree has no duplicates today.
        if (seen.version !== version) throw new Error(`${name} is needed at ${seen.version} and ${version}`);
        continue;
      }
      const dep = copyPackage(dir, join(dest, 'node_modules', name));
      copied.set(name, { name, version });
      queue.push([dir, dep]);
    }
  }
  return [...copied.values()];
}

/** The folder of `name` as Node would resolve it from `from`: node_modules of `from` and its parents. */
function findPackage(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * What npm would publish. An installed package already is its published tarball;
 * a workspace package (linked from its source folder) is cut down to its `files`,
 * package.json and the licence.
 */
function copyPackage(from: string, to: string): PackageJson {
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as PackageJson;
  const installed = from.split(sep).includes('node_modules');
  const entries =
    installed || pkg.files === undefined
      ? readdirSync(from).filter((e) => e !== 'node_modules')
      : [
          'package.json',
          ...pkg.files.filter((f) => !/[*?]/.test(f) && existsSync(join(from, f))),
          ...readdirSync(from).filter((e) => /^(licen[cs]e|notice)/i.test(e)),
        ];
  mkdirSync(to, { recursive: true });
  for (const e of entries) cpSync(join(from, e), join(to, e), { recursive: true, dereference: true });
  return pkg;
}
