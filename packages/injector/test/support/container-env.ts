import type { Container, Pod } from '../../src/index.js';

export interface PodWorld {
  configMaps?: Record<string, Record<string, string>>;
  secrets?: Record<string, Record<string, string>>;
  podIP: string;
}

/**
 * The environment a container of `pod` starts with, resolved by the rules the
 * kubelet follows: envFrom first, then env in order; `$(VAR)` expands to a
 * variable defined before it (left as written when undefined); downward-API
 * fields; an optional key that is missing leaves the variable out.
 */
export function containerEnv(pod: Pod, container: Container, world: PodWorld): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = (from.configMapRef ?? from.secretRef) as { name: string };
    const source = from.configMapRef ? world.configMaps?.[ref.name] : world.secrets?.[ref.name];
    if (source === undefined) throw new Error(`envFrom ${ref.name} does not exist`);
    for (const [k, v] of Object.entries(source)) env[`${(from.prefix as string | undefined) ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) {
      env[e.name] = (e.value ?? '').replace(
        /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
        (all, name: string) => env[name] ?? all,
      );
      continue;
    }
    const v = e.valueFrom as {
      fieldRef?: { fieldPath: string };
      configMapKeyRef?: { name: string; key: string; optional?: boolean };
      secretKeyRef?: { name: string; key: string; optional?: boolean };
    };
    if (v.fieldRef) {
      env[e.name] = field(pod, v.fieldRef.fieldPath, world);
      continue;
    }
    const ref = v.configMapKeyRef ?? v.secretKeyRef!;
    const value = (v.configMapKeyRef ? world.configMaps : world.secrets)?.[ref.name]?.[ref.key];
    if (value !== undefined) env[e.name] = value;
    else if (!ref.optional) throw new Error(`${e.name}: ${ref.name}/${ref.key} does not exist`);
  }
  return env;
}

function field(pod: Pod, path: string, world: PodWorld): string {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata?.labels?.[label[1]!] ?? '';
  if (path === 'status.podIP') return world.podIP;
  if (path === 'metadata.namespace') return pod.metadata?.namespace ?? '';
  if (path === 'metadata.name') return pod.metadata?.name ?? '';
  throw new Error(`field ${path} is not resolved here`);
}
