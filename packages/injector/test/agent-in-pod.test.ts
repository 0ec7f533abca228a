import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@graylane/server';
import jsonpatch from 'fast-json-patch';
import { Pod as PodModel } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  AGENT_MOUNT_PATH,
  bundleAgent,
  createCertificates,
  createNamespaceLabels,
  type Pod,
  type RunningInjector,
  startInjector,
} from '../src/index.js';
import { podFromTemplate, podReview, post } from './support/admission.js';
import { containerEnv } from './support/container-env.js';

const ADMIN_TOKEN = 'test-admin-token';
const certs = createCertificates({
  service: 'graylane-injector',
  namespace: 'graylane-system',
  extraNames: ['127.0.0.1'],
});
const docs = parseAllDocuments(
  readFileSync(new URL('../../../deploy/kubernetes/injector/demo.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS());
const deployments = docs.filter((d) => d.kind === 'Deployment');
const configMap = docs.find((d) => d.kind === 'ConfigMap');

let controlPlane: RunningServer;
let injector: RunningInjector;
let agentDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  controlPlane = await startServer({
    port: 0,
    host: '127.0.0.1',
    data: mkdtempSync(join(tmpdir(), 'graylane-cp-')),
    adminToken: ADMIN_TOKEN,
    log: () => {},
  });
  injector = await startInjector({
    cert: certs.tlsCert,
    key: certs.tlsKey,
    port: 0,
    host: '127.0.0.1',
    server: controlPlane.url,
    agentImage: 'graylane/agent:0.1.0',
    tokenSecret: 'graylane-agent',
    namespaceLabels: createNamespaceLabels({ log: () => {}, env: {} }),
    log: () => {},
  });
  // What the init container copies out of the agent image (its build stage runs the same function).
  agentDir = mkdtempSync(join(tmpdir(), 'graylane-agent-volume-'));
  bundleAgent(agentDir);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  await injector?.close();
  await controlPlane?.close();
});

/** The demo Deployment's pod, as the API server stores it after the webhook. */
async function injectedPod(name: string): Promise<Pod> {
  const deployment = deployments.find((d) => d.metadata.name === name);
  const pod = podFromTemplate(name, 'default', deployment.spec.template);
  const res = await post(injector.url, certs.caCert, podReview(pod, 'default'));
  const patch = JSON.parse(Buffer.from(JSON.parse(res.body).response.patch, 'base64').toString('utf8'));
  const patched = jsonpatch.applyPatch(structuredClone(pod), patch, true, false).newDocument as Pod;
  new PodModel(patched as never).validate();
  return patched;
}

/** Runs the pod's app container as a process: its env resolved as the kubelet would, the volume at `agentDir`. */
function runContainer(pod: Pod): ChildProcess {
  const env = containerEnv(pod, pod.spec!.containers![0]!, {
    configMaps: { [configMap.metadata.name]: configMap.data },
    secrets: { 'graylane-agent': { token: ADMIN_TOKEN } },
    podIP: '127.0.0.1',
  });
  for (const [k, v] of Object.entries(env)) env[k] = v.replaceAll(AGENT_MOUNT_PATH, agentDir);
  // An app that knows nothing of Graylane, in a folder with no node_modules: the
  // agent can only come from the volume, through NODE_OPTIONS.
  const appDir = mkdtempSync(join(tmpdir(), 'graylane-app-'));
  writeFileSync(
    join(appDir, 'app.cjs'),
    "require('node:http').createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1');\n",
  );
  const child = spawn(process.execPath, ['app.cjs'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      ...env,
      GRAYLANE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graylane-agent-cache-')),
      GRAYLANE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

async function instances(app: string): Promise<{ tag: string; address: string }[]> {
  const res = await fetch(`${controlPlane.url}/v1/namespaces/default/instances?app=${app}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { items: { tag: string; address: string }[] }).items;
}

describe('a demo Deployment onboarded by labels', () => {
  it('copies the agent with its dependencies, as the agent image holds it', () => {
    for (const f of ['register.cjs', 'package.json', 'dist/register.js', 'dist/index.js']) {
      expect(existsSync(join(agentDir, f)), f).toBe(true);
    }
    for (const dep of ['@graylane/core', 'undici', 'zod', 'yaml', 're2js']) {
      expect(existsSync(join(agentDir, 'node_modules', dep, 'package.json')), dep).toBe(true);
    }
    expect(existsSync(join(agentDir, 'node_modules', '@graylane/core/dist/index.js'))).toBe(true);
    expect(existsSync(join(agentDir, 'src'))).toBe(false);
  });

  it.each(deployments.map((d) => d.metadata.name as string))(
    '%s comes out of the webhook injected',
    async (name) => {
      const pod = await injectedPod(name);
      expect(pod.spec!.initContainers![0]!.name).toBe('graylane-agent-init');
      const env = Object.fromEntries(pod.spec!.containers![0]!.env!.map((e) => [e.name, e]));
      expect(env.GRAYLANE_APP!.value).toBe(name.replace(/-gray$/, ''));
      expect(env.NODE_OPTIONS!.value).toBe(`--require ${AGENT_MOUNT_PATH}/register.cjs`);
    },
  );

  it('runs the gray and the baseline pod, and each registers with the control plane under its app and tag', async () => {
    const gray = runContainer(await injectedPod('spring-cloud-a-gray'));
    const base = runContainer(await injectedPod('spring-cloud-a'));
    let log = '';
    for (const c of [gray, base]) c.stderr!.on('data', (d) => (log += d));
    // Seconds on a quiet machine; a node loading the agent has taken over 20 s to start on a
    // busy two-core one. The wait ends as soon as both are registered.
    const end = Date.now() + 50_000;
    let seen: { tag: string; address: string }[] = [];
    while (Date.now() < end) {
      seen = await instances('spring-cloud-a');
      if (seen.some((i) => i.tag === 'gray') && seen.some((i) => i.tag === '')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen.map((i) => i.tag).sort(), log).toEqual(['', 'gray']);
    expect(seen.every((i) => i.address === '127.0.0.1')).toBe(true);
  });
});
