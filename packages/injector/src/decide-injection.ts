import {
  AGENT_MOUNT_PATH,
  AGENT_VOLUME,
  APP_LABELS,
  INIT_CONTAINER,
  INJECT_LABEL,
  INJECTED_ANNOTATION,
  NAMESPACE_LABEL,
} from './injector-labels.js';
import type { Pod } from './pod.js';

export type Decision =
  | { inject: true; app: string; namespace: string; notes: string[] }
  | { inject: false; reason: string };

/**
 * Whether a pod gets the agent, and under which app and governance namespace.
 * `namespaceLabels` is undefined when the Namespace could not be read: the
 * webhook configuration's selectors already chose the pod, so it is trusted.
 */
export function decideInjection(
  pod: Pod,
  namespace: string,
  namespaceLabels: Record<string, string> | undefined,
): Decision {
  const labels = pod.metadata?.labels ?? {};
  const spec = pod.spec;
  if (labels[INJECT_LABEL] === 'false') return { inject: false, reason: `pod label ${INJECT_LABEL}="false"` };
  if (
    pod.metadata?.annotations?.[INJECTED_ANNOTATION] !== undefined ||
    spec?.initContainers?.some((c) => c.name === INIT_CONTAINER)
  ) {
    return { inject: false, reason: 'already injected' };
  }
  const podOptIn = labels[INJECT_LABEL] === 'true';
  const notes: string[] = [];
  if (!podOptIn) {
    if (namespaceLabels === undefined) {
      notes.push(`namespace labels unknown: trusting the webhook's selectors`);
    } else if (namespaceLabels[INJECT_LABEL] !== 'enabled') {
      return {
        inject: false,
        reason: `neither namespace label ${INJECT_LABEL}=enabled nor pod label ${INJECT_LABEL}="true"`,
      };
    }
  }
  if (!spec?.containers?.length) return { inject: false, reason: 'the pod has no containers' };
  const app = APP_LABELS.map((l) => labels[l]).find((v) => v !== undefined && v !== '');
  if (app === undefined) {
    return { inject: false, reason: `no app name: add the pod label ${APP_LABELS.join(' or ')}` };
  }
  if (spec.volumes?.some((v) => v.name === AGENT_VOLUME)) {
    return { inject: false, reason: `the pod already has a volume named ${AGENT_VOLUME}` };
  }
  const taken = spec.containers.find((c) => c.volumeMounts?.some((m) => m.mountPath === AGENT_MOUNT_PATH));
  if (taken) return { inject: false, reason: `container ${taken.name} already mounts ${AGENT_MOUNT_PATH}` };

  let governance = labels[NAMESPACE_LABEL];
  if (!governance) governance = namespaceLabels?.[NAMESPACE_LABEL];
  if (!governance) {
    governance = namespace;
    if (namespaceLabels === undefined) {
      notes.push(`GRAYLANE_NAMESPACE=${namespace} (the Kubernetes namespace; its labels could not be read)`);
    }
  }
  return { inject: true, app, namespace: governance, notes };
}
