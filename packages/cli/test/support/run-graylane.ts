import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/graylane.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `graylane` bin, as a person would, and collects what it printed. */
export function graylane(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        GRAYLANE_SERVER: '',
        GRAYLANE_TOKEN: '',
        GRAYLANE_NAMESPACE: '',
        ...options.env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface SpawnedServer {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `graylane server` in a child process and waits for the line that says where it listens. */
export function spawnServer(args: string[]): Promise<SpawnedServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, 'server', '--port', '0', '--host', '127.0.0.1', ...args],
    {
      env: { ...process.env, GRAYLANE_ADMIN_TOKEN: '' },
    },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // Under a second on a quiet machine; a busy two-core one has taken over 15 s.
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // no server left behind on the test's ports and data
      reject(new Error(`graylane server did not start in 60 s: ${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          output: () => out,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then((code) => reject(new Error(`graylane server exited with ${code}: ${out}`)));
  });
}
