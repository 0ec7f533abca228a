import { BAGGAGE_KEY } from '../tag-carrier.js';

/**
 * W3C baggage with `graylane-tag=<tag>` (or without it when `tag` is undefined),
 * every other member kept as it was.
 */
export function withBaggageTag(baggage: string | undefined, tag: string | undefined): string {
  if (baggage === undefined || baggage === '') return tag === undefined ? '' : `${BAGGAGE_KEY}=${tag}`;
  const members =
    baggage === undefined || baggage === ''
      ? []
      : baggage.split(',').filter((m) => {
          const eq = m.indexOf('=');
          return m.trim() !== '' && (eq === -1 ? m : m.slice(0, eq)).trim() !== BAGGAGE_KEY;
        });
  if (tag !== undefined) members.push(`${BAGGAGE_KEY}=${tag}`);
  return members.map((m) => m.trim()).join(',');
}

/** True when the baggage has a `graylane-tag` member. */
export const hasBaggageTag = (baggage: string | undefined) => baggage?.includes(BAGGAGE_KEY) === true;
