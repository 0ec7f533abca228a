import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDemoDir, recordDemoProcesses } from './prepare-demo-dir.js';

const started: ChildProcess[] = [];

function startIdle(script: string): ChildProcess {
  writeFileSync(script, 'setInterval(() => {}, 1000);\n');
  const child = spawn(process.execPath, [script], { stdio: 'ignore' });
  started.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
});

describe('prepareDemoDir', () => {
  it('stops the services an interrupted run recorded and empties the folder', async () => {
    const cacheRoot = mkdtempSync(join(tmpdir(), 'graylane-demo-dir-'));
    const first = await prepareDemoDir(false, cacheRoot);
    const leftover = startIdle(join(cacheRoot, 'a.js'));
    await recordDemoProcesses(first.dir, [{ pid: leftover.pid!, script: join(cacheRoot, 'a.js') }]);
    writeFileSync(join(first.dir.logs, 'spring-cloud-a.log'), 'from the last run\n');

    const next = await prepareDemoDir(false, cacheRoot);
    await exited(leftover);
    expect(next.stoppedLeftovers).toBe(1);
    expect(leftover.signalCode).toBe('SIGKILL');
    expect(existsSync(join(next.dir.logs, 'spring-cloud-a.log'))).toBe(false);
    expect(existsSync(next.dir.controlPlane)).toBe(true);
  });

  it('leaves alone a process whose pid was recorded but which runs another script', async () => {
    const cacheRoot = mkdtempSync(join(tmpdir(), 'graylane-demo-dir-'));
    const first = await prepareDemoDir(false, cacheRoot);
    const other = startIdle(join(cacheRoot, 'other.js'));
    await recordDemoProcesses(first.dir, [{ pid: other.pid!, script: join(cacheRoot, 'a.js') }]);

    const next = await prepareDemoDir(false, cacheRoot);
    expect(next.stoppedLeftovers).toBe(0);
    expect(other.exitCode === null && other.signalCode === null).toBe(true);
  });
});
