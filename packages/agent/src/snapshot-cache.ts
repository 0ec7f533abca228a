import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigSnapshot } from '@graylane/core/runtime';

/**
 * The last config seen, on disk, so that an app restarted while the control plane
 * is down still routes by the lanes it had. Written atomically (temp + rename).
 */
export function createSnapshotCache(dir: string, namespace: string, app: string) {
  const file = join(dir, `${namespace}--${app}.json`);
  return {
    file,
    read(): ConfigSnapshot | undefined {
      try {
        const value = JSON.parse(readFileSync(file, 'utf8')) as ConfigSnapshot;
        return value && typeof value.version === 'number' && value.namespace === namespace
          ? value
          : undefined;
      } catch {
        return undefined;
      }
    },
    write(snapshot: ConfigSnapshot): void {
      mkdirSync(dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(snapshot));
      renameSync(temp, file);
    },
  };
}
