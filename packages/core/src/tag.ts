import { GraylaneError } from './graylane-error.js';

/**
 * A tag names a version/environment of instances and of traffic. The pattern is
 * deliberately narrow: it must be safe inside a SQL92 string literal, a header
 * value, a consumer group name and a Kubernetes label value.
 */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const TAG_RULE =
  'lowercase letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters';

/**
 * How metrics and the console name untagged traffic (`tag="baseline"`). A lane or an
 * instance called `baseline` would be indistinguishable from it, so the name is reserved.
 */
export const BASELINE_TAG = 'baseline';

export const isReservedTag = (value: unknown): boolean => value === BASELINE_TAG;

export const RESERVED_TAG_RULE = `"${BASELINE_TAG}" is reserved for untagged traffic: choose another tag`;

export function isValidTag(value: unknown): value is string {
  return typeof value === 'string' && TAG_PATTERN.test(value) && !isReservedTag(value);
}

/**
 * Returns the tag or throws GL_TAG_INVALID (GL_TAG_RESERVED for `baseline`); the empty
 * string means baseline and is accepted.
 */
export function assertTag(value: unknown, what = 'tag'): string {
  if (value === '' || isValidTag(value)) return value as string;
  if (isReservedTag(value)) {
    throw new GraylaneError('GL_TAG_RESERVED', `${what} ${JSON.stringify(value)}: ${RESERVED_TAG_RULE}`);
  }
  throw new GraylaneError(
    'GL_TAG_INVALID',
    `${what} ${JSON.stringify(value)} is not a valid tag: use ${TAG_RULE}`,
  );
}

/** The label value metrics use for a tag: `baseline` for untagged. */
export const metricTag = (tag: string): string => (tag === '' ? BASELINE_TAG : tag);
