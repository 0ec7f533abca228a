import { isValidTag } from '@graylane/core/runtime';

/** The header (and gRPC metadata key) that carries the lane tag between services. */
export const TAG_HEADER = 'x-graylane-tag';
/** The W3C baggage entry that may carry it instead. */
export const BAGGAGE_KEY = 'graylane-tag';

type Header = string | string[] | number | undefined;

function first(value: Header): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

function fromBaggage(baggage: string): string | undefined {
  for (const member of baggage.split(',')) {
    const eq = member.indexOf('=');
    if (eq === -1 || member.slice(0, eq).trim() !== BAGGAGE_KEY) continue;
    const value = member
      .slice(eq + 1)
      .split(';')[0]!
      .trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * The tag an inbound request carries, or undefined. An invalid value is ignored
 * (reported through `onInvalid`) rather than trusted: it would otherwise end up
 * in consumer group names and SQL92 filters.
 */
export function extractTag(
  get: (name: string) => Header,
  onInvalid?: (value: string) => void,
): string | undefined {
  const direct = first(get(TAG_HEADER));
  const baggage = first(get('baggage'));
  const value = direct ?? (baggage === undefined ? undefined : fromBaggage(baggage));
  if (value === undefined || value === '') return undefined;
  if (isValidTag(value)) return value;
  onInvalid?.(value);
  return undefined;
}

/**
 * The log line for an invalid inbound tag. The value comes from whoever sent the
 * request, so only its start is quoted: a header of many kilobytes must not become
 * a log line of that size.
 */
export function invalidTagMessage(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}… (${value.length} characters)` : value;
  return `ignoring an invalid inbound tag ${JSON.stringify(shown)}: tags are lowercase letters, digits, - and _, at most 63 characters`;
}
