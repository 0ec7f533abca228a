import { mkdir } from 'node:fs/promises';
import { jvmArgs } from './jvm-args.js';
import { runProcess } from './run-process.js';

export const ADMIN_MAIN = 'org.apache.rocketmq.tools.command.MQAdminStartup';

export interface AdminOptions {
  java: string;
  libDir: string;
  /** user.home of the tool: it writes logs/rocketmqlogs/tools*.log there. */
  home: string;
  timeoutMs?: number;
}

/**
 * The admin tool prints its answer, then spends about 3 s shutting down its
 * client (a service thread polls with a 3 s timeout). `answered` tells when the
 * output is complete, so the tool can be stopped right away.
 */
export type Answered = (stdout: string) => boolean;

/**
 * Runs one `mqadmin` sub-command and returns everything it printed. The tool
 * exits 0 even when the command failed, so callers judge the output.
 */
export async function runAdmin(
  options: AdminOptions,
  args: string[],
  answered?: Answered,
): Promise<{ code: number | null; output: string }> {
  await mkdir(options.home, { recursive: true });
  const result = await runProcess(
    options.java,
    [
      ...jvmArgs({
        libDir: options.libDir,
        home: options.home,
        heapMb: 128,
        logConfig: 'rmq.tools.logback.xml',
        quickStart: true,
      }),
      ADMIN_MAIN,
      ...args,
    ],
    { timeoutMs: options.timeoutMs ?? 60_000, ...(answered === undefined ? {} : { doneWhen: answered }) },
  );
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}
