import { mkdir, statfs } from 'node:fs/promises';
import { GraylaneError } from '@graylane/core';

// The broker refuses every write once its disk is 90% used (diskSpaceWarningLevelRatio);
// stop earlier so a broker that starts can also accept messages.
const MAX_USED = 0.88;

/** Fails with GL_DISK_FULL when the file system holding `dir` is more than 88% used. */
export async function assertDiskSpace(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stats = await statfs(dir);
  // Same ratio as the broker: (total - free) / total, counting blocks reserved for root as free.
  const used = stats.blocks === 0 ? 0 : (stats.blocks - stats.bfree) / stats.blocks;
  if (used > MAX_USED) {
    throw new GraylaneError(
      'GL_DISK_FULL',
      `the disk holding ${dir} is ${(used * 100).toFixed(1)}% used; the broker refuses writes at 90%: ` +
        `free space (old broker stores are in <cache>/rocketmq/run/*/home/store) or set GRAYLANE_CACHE to a folder on another disk`,
    );
  }
}
