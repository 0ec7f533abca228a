import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export interface SpawnJvmOptions {
  java: string;
  args: string[];
  /** stdout and stderr of the JVM (startup errors land here before logback is up). */
  outFile: string;
  pidFile: string;
}

/**
 * Starts a JVM detached from this process (own session, no stdio ties) so it
 * outlives the `graylane` command, and records its pid.
 */
export async function spawnJvm(options: SpawnJvmOptions): Promise<number> {
  const out = openSync(options.outFile, 'w');
  try {
    const child = spawn(options.java, options.args, { detached: true, stdio: ['ignore', out, out] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    await writeFile(options.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}
