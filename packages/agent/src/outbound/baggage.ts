import { BAGGAGE_KEY } from '../tag-carrier.js';

// The last answer, for the next call: a lane's calls carry the same baggage over and
// over, so the common call compares two short strings instead of splitting and joining.
let last = { baggage: '', tag: '', out: '' };

/**
 * W3C baggage with `graylane-tag=<tag>` (or without it when `tag` is undefined),
 * every other member kept as it was.
 */
export function withBaggageTag(baggage: string | undefined, tag: string | undefined): string {
  if (baggage === undefined || baggage === '') {
    if (tag === undefined) return '';
    if (last.baggage !== '' || last.tag !== tag) last = { baggage: '', tag, out: `${BAGGAGE_KEY}=${tag}` };
    return last.out;
  }
  if (tag !== undefined && baggage === last.baggage && tag === last.tag) return last.out;
  const members = baggage.split(',').filter((m) => {
    const eq = m.indexOf('=');
    return m.trim() !== '' && (eq === -1 ? m : m.slice(0, eq)).trim() !== BAGGAGE_KEY;
  });
  if (tag !== undefined) members.push(`${BAGGAGE_KEY}=${tag}`);
  const out = members.map((m) => m.trim()).join(',');
  if (tag !== undefined) last = { baggage, tag, out };
  return out;
}

/** True when the baggage has a `graylane-tag` member. */
export const hasBaggageTag = (baggage: string | undefined) => baggage?.includes(BAGGAGE_KEY) === true;
