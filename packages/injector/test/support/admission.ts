import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import type { Pod } from '../../src/index.js';

/**
 * A pod as the ReplicaSet controller creates it from a Deployment's template and
 * as the API server hands it to a mutating webhook: defaults applied, no name yet
 * (generateName), owner reference, empty status.
 */
export function podFromTemplate(
  deployment: string,
  namespace: string,
  template: { metadata?: Pod['metadata']; spec: object },
): Pod {
  const withDefaults = (c: Record<string, unknown>) => ({
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    resources: {},
    ...c,
  });
  const spec = template.spec as {
    containers: Record<string, unknown>[];
    initContainers?: Record<string, unknown>[];
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${deployment}-6d8f9c7b5-`,
      namespace,
      labels: { ...template.metadata?.labels, 'pod-template-hash': '6d8f9c7b5' },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${deployment}-6d8f9c7b5`,
          uid: randomUUID(),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...spec,
      containers: spec.containers.map(withDefaults),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withDefaults) } : {}),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: {},
  } as Pod;
}

/** The AdmissionReview the API server posts for a pod creation (admission.k8s.io/v1). */
export function podReview(pod: unknown, namespace: string, operation = 'CREATE') {
  const kind = { group: '', version: 'v1', kind: 'Pod' };
  const resource = { group: '', version: 'v1', resource: 'pods' };
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: randomUUID(),
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      namespace,
      operation,
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        uid: randomUUID(),
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
      },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

/** POSTs over TLS, trusting only the given CA (as the API server does with the caBundle). */
export function post(url: string, ca: string, body: unknown, path = '/mutate') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}
