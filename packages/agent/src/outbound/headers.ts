import { TAG_HEADER } from '../tag-carrier.js';
import type { TagFields } from './create-outbound.js';

/** Headers as node:http and undici accept them: an object, a flat [name, value, ...] list, or pairs. */
export type AnyHeaders =
  | Record<string, string | string[] | number | undefined | null>
  | Array<string | Buffer | string[]>
  | Iterable<[string, string]>
  | null
  | undefined;

function isFlat(headers: unknown): headers is Array<string | Buffer | string[]> {
  return Array.isArray(headers);
}

/** The value of a header (case-insensitive), first one if repeated. */
export function headerValue(headers: AnyHeaders, name: string): string | undefined {
  if (headers == null) return undefined;
  if (isFlat(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) if (k.toLowerCase() === name) return v;
    return undefined;
  }
  for (const key in headers as object) {
    if (key.toLowerCase() === name) {
      const value = (headers as Record<string, unknown>)[key];
      if (value == null) return undefined;
      return Array.isArray(value) ? String(value[0]) : String(value);
    }
  }
  return undefined;
}

/** A copy of `headers` with each given header set (replacing any of the same name); '' removes it. */
export function withHeaders(headers: AnyHeaders, set: Record<string, string>): AnyHeaders {
  const names = Object.keys(set);
  if (headers == null) {
    const out: Record<string, string> = {};
    for (const n of names) if (set[n] !== '') out[n] = set[n]!;
    return out;
  }
  if (isFlat(headers) || typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const flat: Array<string | Buffer | string[]> = isFlat(headers)
      ? headers
      : [...(headers as Iterable<[string, string]>)].flat();
    const out: Array<string | Buffer | string[]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (!names.includes(String(flat[i]).toLowerCase())) out.push(flat[i]!, flat[i + 1]!);
    }
    for (const n of names) if (set[n] !== '') out.push(n, set[n]!);
    return out;
  }
  const out: Record<string, string | string[] | number | undefined | null> = {};
  for (const key in headers as object) {
    if (!names.includes(key.toLowerCase()))
      out[key] = (headers as Record<string, string | string[] | number | undefined | null>)[key];
  }
  for (const n of names) if (set[n] !== '') out[n] = set[n];
  return out;
}

/** The header values that carry a lane, from the outbound path's fields. */
export function laneHeaders(fields: TagFields): Record<string, string> {
  const set: Record<string, string> = {};
  if (fields.tag !== undefined) set[TAG_HEADER] = fields.tag;
  if (fields.baggage !== undefined) set.baggage = fields.baggage;
  return set;
}

/**
 * The headers an outbound call to any host goes out with: the lane's fields, and a
 * Host header (`host`, when given and the app set none) — in one copy of the app's
 * headers, none when nothing changes. The same as `withHeaders` with `laneHeaders`,
 * in one pass over a plain object, the form node:http calls mostly carry.
 */
export function withLaneHeaders(
  headers: AnyHeaders,
  fields: TagFields | undefined,
  host: string | undefined,
): AnyHeaders {
  const tag = fields?.tag;
  const baggage = fields?.baggage;
  if (headers == null) {
    if (fields === undefined && host === undefined) return headers;
    const out: Record<string, string> = {};
    if (tag !== undefined && tag !== '') out[TAG_HEADER] = tag;
    if (baggage !== undefined && baggage !== '') out.baggage = baggage;
    if (host !== undefined) out.host = host;
    return out;
  }
  if (isFlat(headers) || typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const set = fields === undefined ? {} : laneHeaders(fields);
    if (host !== undefined && headerValue(headers, 'host') === undefined) set.host = host;
    return Object.keys(set).length === 0 ? headers : withHeaders(headers, set);
  }
  const from = headers as Record<string, string | string[] | number | undefined | null>;
  if (fields === undefined && (host === undefined || headerValue(headers, 'host') !== undefined))
    return headers;
  const out: Record<string, string | string[] | number | undefined | null> = {};
  let hasHost = false;
  for (const key in from) {
    const name = key.toLowerCase();
    if (name === 'host') hasHost = true;
    else if ((tag !== undefined && name === TAG_HEADER) || (baggage !== undefined && name === 'baggage'))
      continue;
    out[key] = from[key];
  }
  if (tag !== undefined && tag !== '') out[TAG_HEADER] = tag;
  if (baggage !== undefined && baggage !== '') out.baggage = baggage;
  if (host !== undefined && !hasHost) out.host = host;
  return out;
}
