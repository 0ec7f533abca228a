import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AGENT_IMAGE_PATH, AGENT_MOUNT_PATH, createPatch } from '../src/index.js';

const deploy = new URL('../../../deploy/kubernetes/injector/', import.meta.url);
const graylane = fileURLToPath(new URL('../../cli/bin/graylane.js', import.meta.url));
const manifests = parseAllDocuments(readFileSync(new URL('injector.yaml', deploy), 'utf8')).map((d) =>
  d.toJS(),
);
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
});

describe('the agent image Dockerfile', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', deploy), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and ships only the agent folder in a small final stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/^node:\S+ AS build/);
    expect(stages[0]).toMatch(/RUN node packages\/cli\/bin\/graylane\.js injector bundle --out \/agent/);
    expect(stages.at(-1)).toMatch(/^busybox:\S+/);
    expect(stages.at(-1)).toMatch(/COPY --from=build \S* ?\/agent \/agent/);
  });

  it('holds the agent where the init container copies it from, into the path NODE_OPTIONS loads', () => {
    const patch = createPatch(
      { metadata: {}, spec: { containers: [{ name: 'app' }] } },
      { app: 'a', namespace: 'default' },
      { server: 'http://cp', agentImage: 'graylane/agent:0.1.0' },
    );
    const init = patch.find((op) => op.path === '/spec/initContainers') as { value: { command: string[] }[] };
    expect(init.value[0]!.command).toEqual(['cp', '-R', `${AGENT_IMAGE_PATH}/.`, `${AGENT_MOUNT_PATH}/`]);
    expect(AGENT_IMAGE_PATH).toBe('/agent');
    expect(stages.at(-1)).toContain(JSON.stringify(init.value[0]!.command).replace(/,/g, ', '));
  });
});

describe('deploy/kubernetes/injector/injector.yaml', () => {
  const webhook = manifests.find((d) => d.kind === 'MutatingWebhookConfiguration');

  it('fails open, with a timeout well under the API server’s, on pod creation only', () => {
    expect(webhook.webhooks).toHaveLength(2);
    for (const w of webhook.webhooks) {
      expect(w.failurePolicy).toBe('Ignore');
      expect(w.timeoutSeconds).toBeLessThanOrEqual(5);
      expect(w.sideEffects).toBe('None');
      expect(w.admissionReviewVersions).toEqual(['v1']);
      expect(w.clientConfig.service).toMatchObject({
        name: 'graylane-injector',
        namespace: 'graylane-system',
        path: '/mutate',
      });
      expect(w.rules).toEqual([expect.objectContaining({ operations: ['CREATE'], resources: ['pods'] })]);
    }
  });

  it('sends a pod once: onboarded namespaces in one entry, labelled pods elsewhere in the other', () => {
    const [byNamespace, byPod] = webhook.webhooks;
    expect(byNamespace.namespaceSelector).toEqual({ matchLabels: { 'graylane.io/inject': 'enabled' } });
    expect(byNamespace.objectSelector.matchExpressions).toEqual([
      { key: 'graylane.io/inject', operator: 'NotIn', values: ['false'] },
    ]);
    expect(byPod.namespaceSelector.matchExpressions).toContainEqual({
      key: 'graylane.io/inject',
      operator: 'NotIn',
      values: ['enabled'],
    });
    expect(byPod.objectSelector).toEqual({ matchLabels: { 'graylane.io/inject': 'true' } });
  });

  it('runs the injector with the Secret and flags the certs command and the CLI use', () => {
    const deployment = manifests.find((d) => d.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('graylane-injector');
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'graylane-injector-tls' } });
    const args: string[] = pod.containers[0].args;
    expect(args.slice(0, 2)).toEqual(['injector', 'serve']);
    expect(args[args.indexOf('--cert') + 1]).toBe('/tls/tls.crt');
    const role = manifests.find((d) => d.kind === 'ClusterRole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
  });
});

describe('graylane injector', () => {
  it('certs writes a CA and a serving certificate that `serve` answers TLS with', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graylane-injector-certs-'));
    const printed = execFileSync(
      process.execPath,
      [graylane, 'injector', 'certs', '--out', out, '--name', '127.0.0.1'],
      {
        encoding: 'utf8',
      },
    );
    const ca = readFileSync(join(out, 'ca.crt'), 'utf8');
    expect(printed).toContain(Buffer.from(ca).toString('base64'));
    expect(printed).toContain('kubectl -n graylane-system create secret tls graylane-injector-tls');

    const child = spawn(
      process.execPath,
      [
        graylane,
        'injector',
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--cert',
        join(out, 'tls.crt'),
        '--key',
        join(out, 'tls.key'),
        '--server',
        'http://graylane:7070',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNETES_SERVICE_HOST: '' } },
    );
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (c) => {
        text += c;
        const m = /listening on https port (\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
    });
    const status = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/healthz', ca }, (res) => resolve(res.statusCode!))
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(200);
  });

  it('serve refuses to start without readable certificate files, with GL_INJECTOR_CERT_INVALID', () => {
    let err = '';
    try {
      execFileSync(
        process.execPath,
        [graylane, 'injector', 'serve', '--port', '0', '--cert', '/nonexistent.crt', '--server', 'http://x'],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
    } catch (error) {
      err = (error as { stderr: string }).stderr;
    }
    expect(err).toContain('GL_INJECTOR_CERT_INVALID');
  });
});
