/**
 * The parts of a core/v1 Pod the injector reads. Everything else in the object is
 * carried through untouched: the injector only ever emits JSONPatch operations.
 */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface Container {
  name: string;
  env?: EnvVar[];
  envFrom?: Record<string, unknown>[];
  volumeMounts?: { name: string; mountPath: string }[];
  [key: string]: unknown;
}

export interface Pod {
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: { name: string }[];
    [key: string]: unknown;
  };
}

export type PatchOperation =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** `default/spring-cloud-a-7c9d-` style name for log lines (a Deployment's pod has no name yet at admission). */
export function podName(pod: Pod, namespace: string): string {
  const name =
    pod.metadata?.name || (pod.metadata?.generateName ? `${pod.metadata.generateName}*` : '<unnamed>');
  return `${namespace}/${name}`;
}
