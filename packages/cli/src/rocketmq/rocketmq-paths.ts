import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** 5.3.3 and not later: at later heads the broker overwrites `listenPort` from broker.conf in code. */
export const ROCKETMQ_VERSION = '5.3.3';

export interface RocketMQPaths {
  /** `<cache>/rocketmq` */
  root: string;
  /** Where Maven writes the jars of {@link ROCKETMQ_VERSION}. */
  libDir: string;
  /** Written last by the fetch: its presence means `libDir` is complete. */
  marker: string;
  /** One folder per broker instance: pid files, configs, logs, store. */
  runDir: string;
  /** `user.home` of the admin tool when it talks to a broker we did not start. */
  adminHome: string;
}

/**
 * The cache root is `$GRAYLANE_CACHE` when set, else `.cache` at the root of the
 * repository this package lives in (git-ignored), else `.cache` in the working
 * directory when the package is installed outside the repository.
 */
export function resolveCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GRAYLANE_CACHE;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const repo = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  return join(repo ?? process.cwd(), '.cache');
}

export function rocketmqPaths(cacheRoot: string = resolveCacheRoot()): RocketMQPaths {
  const root = join(cacheRoot, 'rocketmq');
  const versionDir = join(root, ROCKETMQ_VERSION);
  return {
    root,
    libDir: join(versionDir, 'lib'),
    marker: join(versionDir, 'complete.json'),
    runDir: join(root, 'run'),
    adminHome: join(root, 'admin-home'),
  };
}

// The repository root is the first folder upwards whose package.json declares workspaces.
function findRepoRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown };
        if (pkg.workspaces !== undefined) return dir;
      } catch {
        // An unreadable package.json is not the root; keep walking up.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
