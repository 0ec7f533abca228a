/**
 * The app page's warning for lane leaks its instances reported (by the tag of the
 * instances that received them), or undefined when there are none.
 */
export function laneLeakWarning(leaks: Record<string, number> | undefined): string | undefined {
  const parts = Object.entries(leaks ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([tag, n]) => `${n} request${n === 1 ? '' : 's'} reached ${tag ? `"${tag}"` : 'baseline'} instances`,
    );
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')} that their lane should not reach (GL_LANE_LEAK). Something other than Graylane routed them, often a Kubernetes Service that selects gray pods: make each Service select only baseline pods (docs/kubernetes.md).`;
}
