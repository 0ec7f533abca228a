import type { Instance } from './config-snapshot.js';
import { grayConsumerGroup } from './message-grayscale.js';

export interface BaselineIgnoreInput {
  /** The consumer group as the app wrote it. */
  group: string;
  /** Tags the MessageGrayscale resource lists in `baselineIgnoredTags`. */
  listed: readonly string[];
  /** Auto mode: also ignore every tag whose consumers are live. */
  auto: boolean;
  /** Live instances of the consuming app. */
  instances: readonly Instance[];
}

/**
 * The tags a baseline consumer of `group` skips right now.
 *
 * A tag's messages may only be skipped once a consumer of `<group>_<tag>` has its
 * position on the broker, or they would reach no one:
 * - auto: exactly the tags with a live instance that reports consuming `<group>_<tag>`;
 * - listed: skipped as the operator asked, except while a live instance of that tag is
 *   still joining `<group>_<tag>` (the baseline keeps them until it has).
 */
export function baselineIgnoredTags(input: BaselineIgnoreInput): string[] {
  const byTag = new Map<string, Instance[]>();
  for (const i of input.instances) {
    if (i.tag === '') continue;
    byTag.set(i.tag, [...(byTag.get(i.tag) ?? []), i]);
  }
  const consuming = (tag: string) => {
    const gray = grayConsumerGroup(input.group, tag);
    return (byTag.get(tag) ?? []).some((i) => i.consumerGroups?.includes(gray));
  };
  const ignored = new Set<string>();
  for (const tag of input.listed) if (!byTag.has(tag) || consuming(tag)) ignored.add(tag);
  if (input.auto) for (const tag of byTag.keys()) if (consuming(tag)) ignored.add(tag);
  return [...ignored].sort();
}
