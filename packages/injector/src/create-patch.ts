import {
  AGENT_IMAGE_PATH,
  AGENT_MOUNT_PATH,
  AGENT_VOLUME,
  INIT_CONTAINER,
  INJECTED_ANNOTATION,
  REQUIRE_OPTION,
  TAG_LABEL,
} from './injector-labels.js';
import type { Container, EnvVar, PatchOperation, Pod } from './pod.js';

export interface PatchSettings {
  /** GRAYLANE_SERVER given to every pod. */
  server: string;
  /** Image holding the agent folder at /agent. */
  agentImage: string;
  /**
   * Secret (in the pod's namespace) whose key `token` becomes GRAYLANE_TOKEN; optional in the pod.
   * `{app}` in the name is replaced by the pod's app, so each app can have its own token
   * (an agent token limited to that app) and a compromised pod cannot act for another.
   */
  tokenSecret?: string | undefined;
}

export interface PatchTarget {
  app: string;
  namespace: string;
}

/** Keeps a NODE_OPTIONS that comes from a ConfigMap/Secret key, so the agent's option can be appended to it. */
export const ORIGINAL_NODE_OPTIONS = 'GRAYLANE_APP_NODE_OPTIONS';

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSONPatch that puts the agent into a pod: an init container copies the
 * agent into an emptyDir, every app container mounts it, NODE_OPTIONS loads it,
 * and GRAYLANE_* tell it who it is. Values a container sets in `env` win.
 * `notes` receives what a person should know (logged by the webhook).
 */
export function createPatch(pod: Pod, target: PatchTarget, settings: PatchSettings, notes: string[] = []) {
  const spec = pod.spec!;
  const ops: PatchOperation[] = [];
  const annotations = pod.metadata?.annotations;
  if (annotations === undefined) {
    ops.push({ op: 'add', path: '/metadata/annotations', value: { [INJECTED_ANNOTATION]: 'true' } });
  } else {
    ops.push({ op: 'add', path: `/metadata/annotations/${pointer(INJECTED_ANNOTATION)}`, value: 'true' });
  }

  const volume = { name: AGENT_VOLUME, emptyDir: { sizeLimit: '200Mi' } };
  ops.push(
    spec.volumes === undefined
      ? { op: 'add', path: '/spec/volumes', value: [volume] }
      : { op: 'add', path: '/spec/volumes/-', value: volume },
  );

  const init = {
    name: INIT_CONTAINER,
    image: settings.agentImage,
    command: ['cp', '-R', `${AGENT_IMAGE_PATH}/.`, `${AGENT_MOUNT_PATH}/`],
    volumeMounts: [{ name: AGENT_VOLUME, mountPath: AGENT_MOUNT_PATH }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
    },
  };
  // First: the copy is done before anything else in the pod starts.
  ops.push(
    spec.initContainers === undefined
      ? { op: 'add', path: '/spec/initContainers', value: [init] }
      : { op: 'add', path: '/spec/initContainers/0', value: init },
  );

  spec.containers!.forEach((container, i) => {
    ops.push(...containerPatch(container, `/spec/containers/${i}`, target, settings, notes));
  });
  return ops;
}

function containerPatch(
  container: Container,
  base: string,
  target: PatchTarget,
  settings: PatchSettings,
  notes: string[],
): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const mount = { name: AGENT_VOLUME, mountPath: AGENT_MOUNT_PATH, readOnly: true };
  ops.push(
    container.volumeMounts === undefined
      ? { op: 'add', path: `${base}/volumeMounts`, value: [mount] }
      : { op: 'add', path: `${base}/volumeMounts/-`, value: mount },
  );

  const env = container.env ?? [];
  const added: EnvVar[] = [];
  const index = env.findIndex((e) => e.name === 'NODE_OPTIONS');
  const own = env[index];
  if (own === undefined) {
    added.push({ name: 'NODE_OPTIONS', value: REQUIRE_OPTION });
    if (container.envFrom?.length) {
      notes.push(
        `container ${container.name}: NODE_OPTIONS and GRAYLANE_* from envFrom are hidden by the injected env; set them in env to keep them`,
      );
    }
  } else if (own.valueFrom === undefined) {
    const value = own.value ? `${own.value} ${REQUIRE_OPTION}` : REQUIRE_OPTION;
    ops.push({ op: own.value === undefined ? 'add' : 'replace', path: `${base}/env/${index}/value`, value });
  } else {
    // The value lives in a ConfigMap/Secret the webhook cannot see: keep it under another
    // name and let the kubelet expand it (an entry may reference those before it).
    ops.push({
      op: 'add',
      path: `${base}/env/${index}`,
      value: { name: ORIGINAL_NODE_OPTIONS, valueFrom: own.valueFrom },
    });
    ops.push({
      op: 'replace',
      path: `${base}/env/${index + 1}`,
      value: { name: 'NODE_OPTIONS', value: `$(${ORIGINAL_NODE_OPTIONS}) ${REQUIRE_OPTION}` },
    });
  }

  const field = (fieldPath: string) => ({ fieldRef: { apiVersion: 'v1', fieldPath } });
  const wanted: EnvVar[] = [
    { name: 'GRAYLANE_SERVER', value: settings.server },
    { name: 'GRAYLANE_NAMESPACE', value: target.namespace },
    { name: 'GRAYLANE_APP', value: target.app },
    { name: 'GRAYLANE_TAG', valueFrom: field(`metadata.labels['${TAG_LABEL}']`) },
    { name: 'GRAYLANE_HOST', valueFrom: field('status.podIP') },
    // `<app>.<ns>` names are routed for the pod's own Kubernetes namespace.
    { name: 'GRAYLANE_K8S_NAMESPACE', valueFrom: field('metadata.namespace') },
  ];
  if (settings.tokenSecret) {
    wanted.push({
      name: 'GRAYLANE_TOKEN',
      valueFrom: {
        secretKeyRef: {
          name: settings.tokenSecret.replaceAll('{app}', target.app),
          key: 'token',
          optional: true,
        },
      },
    });
  }
  for (const e of wanted) if (!env.some((o) => o.name === e.name)) added.push(e);

  if (container.env === undefined) {
    if (added.length) ops.push({ op: 'add', path: `${base}/env`, value: added });
  } else {
    for (const e of added) ops.push({ op: 'add', path: `${base}/env/-`, value: e });
  }
  return ops;
}
