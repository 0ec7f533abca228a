import { X509Certificate } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import { Pod as PodModel } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificates,
  createNamespaceLabels,
  type EnvVar,
  type PatchOperation,
  type Pod,
  type RunningInjector,
  startInjector,
} from '../src/index.js';
import { podFromTemplate, podReview, post } from './support/admission.js';

const certs = createCertificates({
  service: 'graylane-injector',
  namespace: 'graylane-system',
  extraNames: ['localhost', '127.0.0.1'],
});
const lines: string[] = [];
let injector: RunningInjector;

beforeAll(async () => {
  const log = (line: string) => lines.push(line);
  injector = await startInjector({
    cert: certs.tlsCert,
    key: certs.tlsKey,
    port: 0,
    host: '127.0.0.1',
    server: 'http://graylane.graylane-system:7070',
    agentImage: 'graylane/agent:0.1.0',
    tokenSecret: 'graylane-agent',
    // Outside a cluster: answers undefined, so the webhook's selectors decide.
    namespaceLabels: createNamespaceLabels({ log, env: {} }),
    log,
  });
});
afterAll(() => injector?.close());

/** Sends the pod through the webhook; returns the answer, the patched pod and the log lines it caused. */
async function admit(pod: Pod, namespace = 'shop', operation = 'CREATE') {
  const before = lines.length;
  const review = podReview(pod, namespace, operation);
  const res = await post(injector.url, certs.caCert, review);
  expect(res.status).toBe(200);
  const answer = JSON.parse(res.body) as {
    apiVersion: string;
    kind: string;
    response: { uid: string; allowed: boolean; patchType?: string; patch?: string };
  };
  expect(answer.apiVersion).toBe('admission.k8s.io/v1');
  expect(answer.kind).toBe('AdmissionReview');
  expect(answer.response.uid).toBe(review.request.uid);
  expect(answer.response.allowed).toBe(true);
  const patch: PatchOperation[] | undefined = answer.response.patch
    ? JSON.parse(Buffer.from(answer.response.patch, 'base64').toString('utf8'))
    : undefined;
  if (patch) expect(answer.response.patchType).toBe('JSONPatch');
  const patched: Pod = patch
    ? jsonpatch.applyPatch(structuredClone(pod), patch as never, true, false).newDocument
    : pod;
  // Every result must still be a valid core/v1 Pod.
  expect(() => new PodModel(patched as never).validate()).not.toThrow();
  return { patch, pod: patched, log: lines.slice(before).join('\n') };
}

const container = (name: string, extra: object = {}) => ({ name, image: `shop/${name}:1.0`, ...extra });
const podOf = (labels: Record<string, string>, spec: object, annotations?: Record<string, string>) =>
  podFromTemplate('checkout', 'shop', {
    metadata: { labels, ...(annotations ? { annotations } : {}) },
    spec,
  });
const envOf = (pod: Pod, i = 0) =>
  Object.fromEntries((pod.spec!.containers![i]!.env ?? []).map((e) => [e.name, e]));

describe('the injector webhook', () => {
  it('serves a certificate for the Service name signed by the CA it prints', () => {
    const ca = new X509Certificate(certs.caCert);
    const tls = new X509Certificate(certs.tlsCert);
    expect(tls.verify(ca.publicKey)).toBe(true);
    expect(tls.checkIssued(ca)).toBe(true);
    expect(tls.subjectAltName).toContain('DNS:graylane-injector.graylane-system.svc');
    expect(Buffer.from(certs.caBundle, 'base64').toString()).toBe(certs.caCert);
  });

  it('checks results against a Pod schema that does reject a broken pod', () => {
    expect(() =>
      new PodModel({ spec: { containers: [{ name: 'app', env: [{ value: 1 }] }] } } as never).validate(),
    ).toThrow();
  });

  it('injects a labelled pod without env or volumes: init container, shared volume, NODE_OPTIONS and identity', async () => {
    const { pod, log } = await admit(
      podOf(
        { app: 'checkout', 'graylane.io/inject': 'true', 'graylane.io/tag': 'gray' },
        { containers: [container('app')] },
      ),
    );
    expect(pod.metadata!.annotations!['graylane.io/injected']).toBe('true');
    expect(pod.spec!.volumes).toEqual([{ name: 'graylane-agent', emptyDir: { sizeLimit: '200Mi' } }]);
    const init = pod.spec!.initContainers![0]!;
    expect(init).toMatchObject({
      name: 'graylane-agent-init',
      image: 'graylane/agent:0.1.0',
      command: ['cp', '-R', '/agent/.', '/graylane-agent/'],
      volumeMounts: [{ name: 'graylane-agent', mountPath: '/graylane-agent' }],
    });
    const app = pod.spec!.containers![0]!;
    expect(app.volumeMounts).toEqual([
      { name: 'graylane-agent', mountPath: '/graylane-agent', readOnly: true },
    ]);
    expect(app.env).toEqual([
      { name: 'NODE_OPTIONS', value: '--require /graylane-agent/register.cjs' },
      { name: 'GRAYLANE_SERVER', value: 'http://graylane.graylane-system:7070' },
      { name: 'GRAYLANE_NAMESPACE', value: 'shop' },
      { name: 'GRAYLANE_APP', value: 'checkout' },
      {
        name: 'GRAYLANE_TAG',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['graylane.io/tag']" } },
      },
      { name: 'GRAYLANE_HOST', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      {
        name: 'GRAYLANE_K8S_NAMESPACE',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
      },
      {
        name: 'GRAYLANE_TOKEN',
        valueFrom: { secretKeyRef: { name: 'graylane-agent', key: 'token', optional: true } },
      },
    ]);
    expect(log).toMatch(/injected pod shop\/checkout-6d8f9c7b5-\*: app checkout, namespace shop/);
  });

  it('appends to an existing NODE_OPTIONS and keeps existing volumes, env and GRAYLANE_* values', async () => {
    const spec = {
      volumes: [{ name: 'config', configMap: { name: 'checkout' } }],
      containers: [
        container('app', {
          env: [
            { name: 'NODE_OPTIONS', value: '--max-old-space-size=512 --enable-source-maps' },
            { name: 'PORT', value: '8080' },
            { name: 'GRAYLANE_APP', value: 'checkout-api' },
            { name: 'GRAYLANE_NAMESPACE', value: 'team-a' },
          ],
          volumeMounts: [{ name: 'config', mountPath: '/etc/checkout' }],
        }),
      ],
    };
    const { pod } = await admit(
      podOf({ 'app.kubernetes.io/name': 'checkout', 'graylane.io/inject': 'true' }, spec),
    );
    expect(pod.spec!.volumes!.map((v) => v.name)).toEqual(['config', 'graylane-agent']);
    const app = pod.spec!.containers![0]!;
    expect(app.volumeMounts!.map((m) => m.mountPath)).toEqual(['/etc/checkout', '/graylane-agent']);
    const env = envOf(pod);
    expect(env.NODE_OPTIONS!.value).toBe(
      '--max-old-space-size=512 --enable-source-maps --require /graylane-agent/register.cjs',
    );
    expect(env.PORT!.value).toBe('8080');
    expect(env.GRAYLANE_APP!.value).toBe('checkout-api');
    expect(env.GRAYLANE_NAMESPACE!.value).toBe('team-a');
    expect(app.env!.filter((e) => e.name === 'NODE_OPTIONS')).toHaveLength(1);
    expect(app.env!.filter((e) => e.name === 'GRAYLANE_APP')).toHaveLength(1);
  });

  it('keeps a NODE_OPTIONS that comes from a ConfigMap key and appends through variable expansion', async () => {
    const valueFrom = { configMapKeyRef: { name: 'checkout', key: 'node-options' } };
    const { pod } = await admit(
      podOf(
        { app: 'checkout', 'graylane.io/inject': 'true' },
        { containers: [container('app', { env: [{ name: 'NODE_OPTIONS', valueFrom }] })] },
      ),
    );
    const env: EnvVar[] = pod.spec!.containers![0]!.env!;
    expect(env.slice(0, 2)).toEqual([
      { name: 'GRAYLANE_APP_NODE_OPTIONS', valueFrom },
      { name: 'NODE_OPTIONS', value: '$(GRAYLANE_APP_NODE_OPTIONS) --require /graylane-agent/register.cjs' },
    ]);
  });

  it('gives every app container the agent and puts its init container before the pod’s own', async () => {
    const spec = {
      initContainers: [container('migrate', { env: [{ name: 'DB', value: 'x' }] })],
      containers: [container('api'), container('worker', { env: [{ name: 'ROLE', value: 'worker' }] })],
    };
    const { pod } = await admit(podOf({ 'graylane.io/app': 'checkout', 'graylane.io/inject': 'true' }, spec));
    expect(pod.spec!.initContainers!.map((c) => c.name)).toEqual(['graylane-agent-init', 'migrate']);
    expect(pod.spec!.initContainers![1]).toEqual(
      spec.initContainers.map((c) => expect.objectContaining(c))[0],
    );
    expect(pod.spec!.initContainers![1]!.volumeMounts).toBeUndefined();
    for (const i of [0, 1]) {
      const env = envOf(pod, i);
      expect(env.NODE_OPTIONS!.value).toBe('--require /graylane-agent/register.cjs');
      expect(env.GRAYLANE_APP!.value).toBe('checkout');
      expect(pod.spec!.containers![i]!.volumeMounts).toEqual([
        { name: 'graylane-agent', mountPath: '/graylane-agent', readOnly: true },
      ]);
    }
    expect(envOf(pod, 1).ROLE!.value).toBe('worker');
  });

  it('leaves a pod it already injected as it is', async () => {
    const first = await admit(
      podOf({ app: 'checkout', 'graylane.io/inject': 'true' }, { containers: [container('app')] }),
    );
    const again = await admit(first.pod);
    expect(again.patch).toBeUndefined();
    expect(again.log).toMatch(/skipped pod shop\/checkout-6d8f9c7b5-\*: already injected/);
  });

  it('skips a pod that opts out with graylane.io/inject: "false", and says why', async () => {
    const { patch, log } = await admit(
      podOf({ app: 'checkout', 'graylane.io/inject': 'false' }, { containers: [container('app')] }),
    );
    expect(patch).toBeUndefined();
    expect(log).toMatch(/skipped pod shop\/checkout-6d8f9c7b5-\*: pod label graylane.io\/inject="false"/);
  });

  it('injects an unlabelled pod the namespace selector sent, in the Kubernetes namespace when its labels are unknown', async () => {
    const { pod, log } = await admit(
      podOf({ app: 'checkout' }, { containers: [container('app')] }),
      'payments',
    );
    expect(envOf(pod).GRAYLANE_NAMESPACE!.value).toBe('payments');
    expect(log).toMatch(
      /GRAYLANE_NAMESPACE=payments \(the Kubernetes namespace; its labels could not be read\)/,
    );
  });

  it('takes the governance namespace from the pod label graylane.io/namespace', async () => {
    const { pod } = await admit(
      podOf(
        { app: 'checkout', 'graylane.io/inject': 'true', 'graylane.io/namespace': 'team-a' },
        { containers: [container('app')] },
      ),
    );
    expect(envOf(pod).GRAYLANE_NAMESPACE!.value).toBe('team-a');
  });

  it('skips a pod without an app name and says which label to add', async () => {
    const { patch, log } = await admit(
      podOf({ 'graylane.io/inject': 'true' }, { containers: [container('app')] }),
    );
    expect(patch).toBeUndefined();
    expect(log).toMatch(
      /skipped pod .*: no app name: add the pod label graylane.io\/app or app or app.kubernetes.io\/name/,
    );
  });

  it('lets anything but a pod creation through unchanged', async () => {
    const { patch, log } = await admit(
      podOf({ app: 'checkout', 'graylane.io/inject': 'true' }, { containers: [container('app')] }),
      'shop',
      'UPDATE',
    );
    expect(patch).toBeUndefined();
    expect(log).toMatch(/skipped UPDATE Pod in shop: only pod creation is injected/);
  });

  it('answers 400 to a body that is not an AdmissionReview, and logs the code', async () => {
    const res = await post(injector.url, certs.caCert, { kind: 'Pod' });
    expect(res.status).toBe(400);
    expect(lines.at(-1)).toMatch(/^GL_ADMISSION_REVIEW_INVALID/);
  });

  it('refuses a key that does not belong to the certificate with GL_INJECTOR_CERT_INVALID', async () => {
    const other = createCertificates({ service: 'x', namespace: 'y' });
    await expect(
      startInjector({
        cert: certs.tlsCert,
        key: other.tlsKey,
        port: 0,
        server: 'http://x',
        agentImage: 'a',
        log: () => {},
      }),
    ).rejects.toMatchObject({ code: 'GL_INJECTOR_CERT_INVALID' });
  });
});
