import type { IncomingMessage } from 'node:http';
import { TAG_HEADER, type TagFields } from '@graylane/agent';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
// `host` is the upstream's own; `expect` is answered here (Node sends 100-continue);
// the x-forwarded-* and tag headers are rewritten below.
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
  TAG_HEADER,
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** Extra hop-by-hop names a `Connection: close, x-foo` header lists. */
function listedIn(connection: string | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const names = connection
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'close' && s !== 'keep-alive');
  return names.length === 0 ? undefined : new Set(names);
}

/** The request headers for the upstream, as a flat [name, value, ...] list that keeps repeats and case. */
export function upstreamHeaders(req: IncomingMessage, fields: TagFields | undefined): string[] {
  const raw = req.rawHeaders;
  const listed = listedIn(req.headers.connection);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (
      DROP_REQUEST.has(lower) ||
      listed?.has(lower) ||
      (lower === 'baggage' && fields?.baggage !== undefined)
    ) {
      if (lower === 'x-forwarded-for')
        forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push(
    'x-forwarded-for',
    forwardedFor ? `${forwardedFor}, ${client}` : client,
    'x-forwarded-proto',
    'http',
  );
  if (req.headers.host !== undefined) out.push('x-forwarded-host', req.headers.host);
  if (fields?.tag !== undefined) out.push(TAG_HEADER, fields.tag);
  if (fields?.baggage !== undefined && fields.baggage !== '') out.push('baggage', fields.baggage);
  return out;
}

/** The upstream's response headers for the client, hop-by-hop ones removed. */
export function downstreamHeaders(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    if (DROP_RESPONSE.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  return out;
}
