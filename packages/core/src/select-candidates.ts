import { GraylaneError } from './graylane-error.js';
import type { Fallback } from './tag-policy.js';

export interface Tagged {
  /** Empty string for a baseline instance. */
  tag: string;
}

export interface Candidates<T> {
  candidates: T[];
  /** True when the tag had no instance and the baseline was used instead. */
  fellBack: boolean;
}

/**
 * The instances a request with `tag` may go to. Untagged traffic only reaches
 * untagged instances; tagged traffic reaches instances with the same tag, or with
 * `baseline` fallback the untagged ones when the tag has none.
 *
 * Throws GL_STRICT_NO_TAGGED_INSTANCE (strict lane, no tagged instance) and
 * GL_NO_INSTANCE (nothing to send to at all).
 */
export function selectCandidates<T extends Tagged>(
  instances: readonly T[],
  tag: string,
  fallback: Fallback,
  app = 'the app',
): Candidates<T> {
  if (tag !== '') {
    const tagged = instances.filter((i) => i.tag === tag);
    if (tagged.length > 0) return { candidates: tagged, fellBack: false };
    if (fallback === 'strict') {
      throw new GraylaneError(
        'GL_STRICT_NO_TAGGED_INSTANCE',
        `${app} has no instance tagged "${tag}" and the lane's fallback is strict: start an instance with GRAYLANE_TAG=${tag} or set the lane's fallback to baseline`,
      );
    }
  }
  const baseline = instances.filter((i) => i.tag === '');
  if (baseline.length === 0) {
    throw new GraylaneError(
      'GL_NO_INSTANCE',
      `${app} has no ${tag === '' ? '' : `instance tagged "${tag}" and no `}baseline instance registered: start one, or check GRAYLANE_APP and GRAYLANE_NAMESPACE of its instances`,
    );
  }
  return { candidates: baseline, fellBack: tag !== '' };
}
