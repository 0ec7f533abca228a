import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneYaml } from '../../server/test/support/api.js';
import { createTestSchema } from '../../server/test/support/postgres-schema.js';
import { openWatch } from '../../server/test/support/watch-stream.js';
import { graylane, type SpawnedServer, spawnServer } from './support/run-graylane.js';

const TOKEN = 'cli-test-admin-token';

const mgYaml = `apiVersion: graylane.io/v1
kind: MessageGrayscale
metadata: { name: spring-cloud-a }
spec: { enabled: true, filter: sql92, baselineIgnoredTags: [gray] }
`;

type Store = { args: string[]; cleanup(): Promise<void> };

const stores: Array<[string, () => Promise<Store>]> = [
  [
    'SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'graylane-cli-'));
      return { args: ['--data', dir], cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema('gl_cli');
      return { args: ['--postgres', schema.url], cleanup: schema.drop };
    },
  ],
];

describe.each(stores)('graylane apply, get and delete against a control plane on %s', (_, makeStore) => {
  let store: Store;
  let server: SpawnedServer;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    store = await makeStore();
    server = await spawnServer([...store.args, '--admin-token', TOKEN]);
    env = { GRAYLANE_SERVER: server.url, GRAYLANE_TOKEN: TOKEN };
    dir = await mkdtemp(join(tmpdir(), 'graylane-docs-'));
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await store?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a lane from a file, shows it with get, streams it to a watcher and records it in the audit log', async () => {
    const watch = await openWatch(server.url, 'default', undefined, TOKEN);
    expect((await watch.next()).event).toBe('snapshot');
    const file = join(dir, 'lane.yaml');
    await writeFile(file, laneYaml('gray'));

    const applied = await graylane(['apply', '-f', file], { env });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toMatch(/^Lane\/gray created \(namespace default, version \d+\)$/m);
    expect(applied.code).toBe(0);

    const table = await graylane(['get', 'lanes'], { env });
    expect(table.stdout).toMatch(/^NAME\s+TAG\s+PRIORITY/);
    expect(table.stdout).toMatch(/^gray\s+gray\s+100\s+spring-cloud-a/m);

    const change = await watch.next((e) => e.event === 'change');
    expect(change.data).toMatchObject({
      type: 'put',
      resource: { kind: 'Lane', metadata: { name: 'gray' } },
    });
    watch.close();

    const audit = await graylane(['get', 'audit', '-o', 'json'], { env });
    const entries = JSON.parse(audit.stdout);
    expect(entries[0]).toMatchObject({
      actor: 'admin',
      action: 'create',
      kind: 'Lane',
      name: 'gray',
      before: null,
    });
    expect(entries[0].after.spec.tag).toBe('gray');
  });

  it('reads documents from standard input and changes nothing on a dry run', async () => {
    const dry = await graylane(['apply', '-f', '-', '--dry-run'], { env, input: mgYaml });
    expect(dry.stdout.trim()).toBe('MessageGrayscale/spring-cloud-a created (dry run; namespace default)');
    expect((await graylane(['get', 'mg', 'spring-cloud-a'], { env })).code).toBe(1);
    const real = await graylane(['apply', '-f', '-', '-n', 'shop'], { env, input: mgYaml });
    expect(real.stdout).toMatch(/MessageGrayscale\/spring-cloud-a created \(namespace shop, version 1\)/);
    const got = await graylane(['get', 'messagegrayscale', '-n', 'shop'], { env });
    expect(got.stdout).toMatch(/^spring-cloud-a\s+true\s+sql92\s+gray\s+1$/m);
  });

  it('prints YAML that applies again unchanged, and JSON', async () => {
    const yaml = await graylane(['get', 'lane', 'gray', '-o', 'yaml'], { env });
    expect(yaml.stdout).toContain('kind: Lane');
    expect(yaml.stdout).toMatch(/resourceVersion: "\d+"/);
    const again = await graylane(['apply', '-f', '-'], { env, input: yaml.stdout });
    expect(again.stdout).toMatch(/^Lane\/gray unchanged/);
    const json = JSON.parse((await graylane(['get', 'lane', 'gray', '-o', 'json'], { env })).stdout);
    expect(json.spec.fallback).toBe('baseline');
  });

  it('prints the error code, the document and the bad path of an invalid document, and applies none', async () => {
    const bad = `${mgYaml.replace('spring-cloud-a', 'other')}---\n${laneYaml('broken', 'gray').replace('op: eq', 'op: equals')}`;
    const run = await graylane(['apply', '-f', '-'], { env, input: bad });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GL_RULE_INVALID');
    expect(run.stderr).toContain('Lane/broken at spec.entry.match.all.0.op');
    expect((await graylane(['get', 'mg', 'other'], { env })).code).toBe(1);
  });

  it('refuses a file that is not valid UTF-8 with GL_DOCUMENT_INVALID instead of applying U+FFFD', async () => {
    const file = join(dir, 'latin1.yaml');
    const [before, after] = laneYaml('latin', 'gray').split('xiaoming') as [string, string];
    // "xiaoming" with an é in Latin-1 inside: one byte that UTF-8 does not allow there.
    await writeFile(
      file,
      Buffer.concat([Buffer.from(`${before}xiao`), Buffer.from([0xe9]), Buffer.from(`ming${after}`)]),
    );
    const run = await graylane(['apply', '-f', file], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GL_DOCUMENT_INVALID');
    expect(run.stderr).toContain('is not valid UTF-8');
    expect((await graylane(['get', 'lane', 'latin'], { env })).code).toBe(1);
  });

  it('deletes a lane, then says it is not there', async () => {
    const deleted = await graylane(['delete', 'lane', 'gray', '--server', server.url, '--token', TOKEN]);
    expect(deleted.stdout.trim()).toBe('Lane/gray deleted');
    const missing = await graylane(['get', 'lane', 'gray'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('GL_NOT_FOUND');
  });

  it('creates an agent token for some apps, lists it, and refuses to delete the last admin token', async () => {
    const created = await graylane(
      ['token', 'create', 'orders-agent', '--role', 'agent', '--apps', 'orders'],
      {
        env,
      },
    );
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^gl_/);
    expect(created.stderr).toContain('for orders');
    const list = await graylane(['get', 'tokens'], { env });
    expect(list.stdout).toMatch(/^orders-agent\s+agent\s+orders\s/m);
    const last = await graylane(['delete', 'token', 'admin'], { env });
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('GL_CONFLICT');
    expect((await graylane(['delete', 'token', 'orders-agent'], { env })).code).toBe(0);
    expect((await graylane(['token', 'create', 'x', '--role', 'root'], { env })).code).toBe(2);
  });

  it('answers without a token with GL_UNAUTHENTICATED', async () => {
    const run = await graylane(['get', 'lanes', '--server', server.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GL_UNAUTHENTICATED');
  });
});

describe('graylane server', () => {
  it('prints a generated admin token once, on the first start of an empty store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graylane-first-'));
    const first = await spawnServer(['--data', dir]);
    const token = /admin token: (gl_\S+)/.exec(first.output())?.[1];
    expect(token).toBeDefined();
    const list = await graylane(['get', 'namespaces'], {
      env: { GRAYLANE_SERVER: first.url, GRAYLANE_TOKEN: token! },
    });
    expect(list.stdout).toMatch(/^default\s+0$/m);
    expect(await first.stop()).toBe(0);
    const second = await spawnServer(['--data', dir]);
    expect(second.output()).not.toContain('admin token');
    expect(await second.stop()).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses input that never ends with GL_DOCUMENT_INVALID instead of reading it until memory runs out', async () => {
    const run = await graylane(['apply', '-f', '/dev/zero']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GL_DOCUMENT_INVALID: /dev/zero holds more than 16 MiB');
  });

  it('prints its version, and help whose option texts line up', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const run = await graylane(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`graylane ${version}`);
    expect((await graylane([])).stdout).toContain('graylane <command> --help');
    for (const [command, column] of [
      ['server', 24],
      ['gateway', 22],
    ] as const) {
      const help = (await graylane([command, '--help'])).stdout;
      const port = help.split('\n').find((l) => l.startsWith('  --port '))!;
      const cert = help.split('\n').find((l) => l.startsWith('  --tls-cert '))!;
      expect(port.indexOf('port to listen on'), command).toBe(column);
      expect(cert.indexOf('serve HTTPS'), command).toBe(column);
    }
  });

  it('says how to use a command when its arguments are wrong, with exit code 2', async () => {
    const run = await graylane(['get']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: graylane get KIND');
    expect((await graylane(['apply'])).code).toBe(2);
    expect((await graylane(['server', '--nope'])).code).toBe(2);
    const unreachable = await graylane(['get', 'lanes', '--server', 'http://127.0.0.1:9']);
    expect(unreachable.stderr).toContain('cannot reach the control plane at http://127.0.0.1:9');
    expect(unreachable.stderr).toContain('GL_CONTROL_PLANE_UNREACHABLE');
    expect(unreachable.code).toBe(1);
    const badFlag = await graylane(['rocketmq', 'start', '--namesrv-port', 'x']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('port "x" is not a number');
    expect((await graylane(['injector', 'nope'])).code).toBe(2);
    expect((await graylane(['gateway', '--port', '99999'])).code).toBe(2);
    const badPort = await graylane(['server', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port abc is not a port number');
    expect((await graylane(['nope'])).code).toBe(2);
  });
});
