/** Labels and annotations the injector reads and writes: part of the onboarding contract (docs/kubernetes.md). */

/** Namespace label `enabled` onboards every pod of the namespace; pod label `"true"` one workload, `"false"` opts out. */
export const INJECT_LABEL = 'graylane.io/inject';
/** Governance namespace: pod label first, then the Namespace's label, else the Kubernetes namespace. */
export const NAMESPACE_LABEL = 'graylane.io/namespace';
/** App name: this label, else `app`, else `app.kubernetes.io/name`. */
export const APP_LABELS = ['graylane.io/app', 'app', 'app.kubernetes.io/name'] as const;
/** The pod's version; reaches GRAYLANE_TAG through the downward API (absent = baseline). */
export const TAG_LABEL = 'graylane.io/tag';
/** Written on every pod the injector changed, so a second pass leaves it alone. */
export const INJECTED_ANNOTATION = 'graylane.io/injected';

/** The shared emptyDir, and where it is mounted in the init container and in every app container. */
export const AGENT_VOLUME = 'graylane-agent';
export const AGENT_MOUNT_PATH = '/graylane-agent';
/** Where the agent image keeps the agent folder (register.cjs, dist, package.json, node_modules). */
export const AGENT_IMAGE_PATH = '/agent';
export const INIT_CONTAINER = 'graylane-agent-init';
export const REQUIRE_OPTION = `--require ${AGENT_MOUNT_PATH}/register.cjs`;
