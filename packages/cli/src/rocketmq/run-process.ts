import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  cwd?: string;
  timeoutMs?: number;
  /**
   * Called with the stdout so far; once it returns true the process is killed
   * and the result returned at once (for tools that print their answer and
   * then idle for seconds while shutting down).
   */
  doneWhen?: (stdout: string) => boolean;
}

/**
 * Runs a command to completion and collects its output. Rejects only when the
 * command cannot be started (the error keeps its `code`, e.g. `ENOENT`) or runs
 * past `timeoutMs`; a non-zero exit is the caller's to judge.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!done && options.doneWhen?.(stdout)) {
        done = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: done ? 0 : code, stdout, stderr });
    });
  });
}
