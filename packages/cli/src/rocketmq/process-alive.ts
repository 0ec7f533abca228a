import { readFile } from 'node:fs/promises';

/**
 * True when `pid` runs and, where /proc exists, its command line contains
 * every one of `markers` (main class, instance folder): a stale pid file whose number was reused by
 * another process must not count as our broker. Zombies count as gone.
 */
export async function isProcessAlive(pid: number, markers: readonly string[]): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to another user, so it is not ours.
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return markers.every((marker) => cmdline.includes(marker));
  } catch (error) {
    // No /proc (macOS): the signal check above is all we have.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && !(await hasProc());
  }
}

/** Reads a pid file; undefined when it is missing or holds no number. */
export async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function hasProc(): Promise<boolean> {
  try {
    await readFile('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}
