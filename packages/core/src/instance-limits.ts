/**
 * What one instance may report to the registry (the server's schema refuses more), so the
 * agent can trim a report that would not fit instead of losing the whole registration.
 */
export const INSTANCE_LIMITS = {
  consumerGroups: 100,
  groupChars: 255,
  metadataChars: 4096,
} as const;

export interface ReportableGroups {
  /** The groups to register, sorted, within the limits. */
  groups: string[];
  /** `consumer-groups.<broker>` metadata: each list comma-joined within `metadataChars`. */
  metadata: Record<string, string>;
  /** The groups left out, sorted; empty when everything fits. */
  dropped: string[];
}

/**
 * Trims an instance's consumer groups to what the registry accepts: a name longer than
 * `groupChars` is left out, then the first `consumerGroups` in order, and each broker's
 * list keeps only whole names within `metadataChars`. A group left out is only missing
 * from the console and from `auto` mode's count of live lane consumers, which then
 * leaves that tag to the baseline: the safe side.
 */
export function reportableGroups(
  groups: readonly string[],
  byBroker: Readonly<Record<string, readonly string[]>> = {},
): ReportableGroups {
  const sorted = [...new Set(groups)].sort();
  const kept = sorted
    .filter((g) => g.length > 0 && g.length <= INSTANCE_LIMITS.groupChars)
    .slice(0, INSTANCE_LIMITS.consumerGroups);
  const keep = new Set(kept);
  const metadata: Record<string, string> = {};
  for (const [broker, list] of Object.entries(byBroker)) {
    let joined = '';
    for (const group of [...new Set(list)].sort()) {
      if (!keep.has(group)) continue;
      const next = joined === '' ? group : `${joined},${group}`;
      if (next.length > INSTANCE_LIMITS.metadataChars) break;
      joined = next;
    }
    if (joined !== '') metadata[`consumer-groups.${broker}`] = joined;
  }
  const listed = new Set(Object.values(metadata).flatMap((list) => list.split(',')));
  const inSomeBroker = new Set(Object.values(byBroker).flat());
  const dropped = sorted.filter((g) => !keep.has(g) || (inSomeBroker.has(g) && !listed.has(g)));
  return { groups: kept, metadata, dropped };
}
