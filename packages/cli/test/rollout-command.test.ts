import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graylane, type SpawnedServer, spawnServer } from './support/run-graylane.js';

const TOKEN = 'cli-rollout-admin-token';

const docs = `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec: { tag: gray, entry: { apps: [a] } }
---
apiVersion: graylane.io/v1
kind: Rollout
metadata: { name: gray }
spec:
  lane: gray
  steps: [ { weight: 10, pause: {} }, { weight: 100 } ]
`;

describe('graylane rollout', () => {
  let dir: string;
  let server: SpawnedServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'graylane-cli-rollout-'));
    server = await spawnServer(['--data', dir, '--admin-token', TOKEN]);
    env = { GRAYLANE_SERVER: server.url, GRAYLANE_TOKEN: TOKEN };
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the status, refuses a verb the phase does not allow, and promotes to Completed', async () => {
    expect((await graylane(['apply', '-f', '-'], { env, input: docs })).code).toBe(0);
    let status = await graylane(['rollout', 'status', 'gray'], { env });
    for (let i = 0; i < 50 && !status.stdout.includes('Paused'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await graylane(['rollout', 'status', 'gray'], { env });
    }
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('phase:   Paused');
    expect(status.stdout).toContain('weight:  10');
    expect(status.stdout).toContain('▶ 1. weight 10, pause until promoted');

    const yaml = await graylane(['get', 'rollout', 'gray', '-o', 'yaml'], { env });
    expect(yaml.stdout).toMatch(/status:\n\s+phase: Paused/);
    // The status read back is ignored when the document is applied again.
    const again = await graylane(['apply', '-f', '-'], { env, input: yaml.stdout });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged');

    const resume = await graylane(['rollout', 'resume', 'gray'], { env });
    expect(resume.code).toBe(1);
    expect(resume.stderr).toContain('GL_ROLLOUT_STATE');

    const promote = await graylane(['rollout', 'promote', 'gray', '-o', 'json'], { env });
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.stdout).status).toMatchObject({ step: 1, weight: 100 });
    let table = await graylane(['get', 'rollouts'], { env });
    for (let i = 0; i < 50 && !table.stdout.includes('Completed'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      table = await graylane(['get', 'rollouts'], { env });
    }
    expect(table.stdout).toMatch(/gray\s+gray\s+Completed\s+2\/2\s+100/);
  });

  it('names the verbs on a wrong command line and says when a rollout does not exist', async () => {
    const wrong = await graylane(['rollout', 'launch', 'gray'], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('status, promote, pause, resume, abort, retry');
    const missing = await graylane(['rollout', 'abort', 'nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('GL_NOT_FOUND');
  });
});
