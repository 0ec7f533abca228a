/**
 * What a lane condition can look at. Sources are read lazily: a rule that only
 * looks at a header never pays for parsing the query string or the cookies.
 */
export interface RequestView {
  /** Upper case, e.g. `GET`; for gRPC `POST`. */
  readonly method: string;
  /** Path without the query string; for gRPC `/package.Service/Method`. */
  readonly path: string;
  /** Host name in lower case, without the port. */
  readonly host: string;
  /** Header value by lower-case name; repeated headers are joined with ", ". */
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  /** First value of a query parameter. */
  query(name: string): string | undefined;
  /** gRPC metadata by lower-case key; for HTTP requests the headers. */
  metadata(name: string): string | undefined;
}

export type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>>;

export interface RequestInit {
  method?: string | undefined;
  /** Request target as it appears on the request line: `/path?query`. */
  url?: string | undefined;
  headers?: HeaderBag | undefined;
  /** gRPC metadata; defaults to the headers. */
  metadata?: HeaderBag | undefined;
}

function single(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.join(', ');
}

function decode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // malformed escapes: compare the raw text rather than fail the request
  }
}

/** First value per name of an `a=1&b=2` string. */
export function parseQuery(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    if (!out.has(name)) out.set(name, eq === -1 ? '' : decode(part.slice(eq + 1)));
  }
  return out;
}

/** Cookie header (`a=1; b="2"`) to a map; the first cookie of a name wins, as in browsers' order. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.set(name, decode(value));
  }
  return out;
}

function hostOf(headers: HeaderBag): string {
  const raw = single(headers.host) ?? single(headers[':authority']) ?? '';
  // Keep IPv6 literals intact: strip the port only after the closing bracket.
  const end = raw.startsWith('[') ? raw.indexOf(']') + 1 : raw.indexOf(':');
  return (end > 0 ? raw.slice(0, end) : raw).toLowerCase();
}

/**
 * The raw value of the first `name` in an `a=1&b=2` string, found without building
 * a map: a rule reads two or three values of a request, so scanning for them is
 * cheaper than parsing every pair (this runs on every request). `escaped` says
 * whether the text holds any `%` or `+`; only then must keys be decoded to compare.
 */
function queryRaw(text: string, name: string, escaped: boolean): string | undefined {
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = length;
    if (!escaped) {
      if (text.startsWith(name, start)) {
        const after = start + name.length;
        if (after === end) return '';
        if (text.charCodeAt(after) === 61 /* = */) return text.slice(after + 1, end);
      }
    } else {
      const eq = text.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      if (decode(text.slice(start, hasValue ? eq : end)) === name)
        return hasValue ? text.slice(eq + 1, end) : '';
    }
    start = end + 1;
  }
  return undefined;
}

/** The raw value of the first cookie `name`: names may have spaces around them, parts without "=" are skipped. */
function cookieRaw(header: string, name: string): string | undefined {
  let start = 0;
  const length = header.length;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    let from = start;
    while (header.charCodeAt(from) === 32) from++;
    if (header.startsWith(name, from)) {
      let after = from + name.length;
      while (after < end && header.charCodeAt(after) === 32) after++;
      if (after < end && header.charCodeAt(after) === 61 /* = */) return header.slice(after + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

function cookieValue(header: string, name: string): string | undefined {
  if (name === '' || !header.includes(name)) return undefined;
  const raw = cookieRaw(header, name);
  if (raw === undefined) return undefined;
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return decode(value);
}

class LazyRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  private readonly headers: HeaderBag;
  private readonly meta: HeaderBag;
  private readonly search: string;
  private readonly escaped: boolean;
  private hostName: string | undefined;

  constructor(init: RequestInit) {
    const url = init.url ?? '/';
    const q = url.indexOf('?');
    const method = init.method;
    this.method =
      method === undefined ? 'GET' : method === 'GET' || method === 'POST' ? method : method.toUpperCase();
    this.path = q === -1 ? url : url.slice(0, q);
    this.search = q === -1 ? '' : url.slice(q + 1);
    this.escaped = this.search.includes('%') || this.search.includes('+');
    this.headers = init.headers ?? {};
    this.meta = init.metadata ?? this.headers;
    this.hostName = undefined;
  }

  get host(): string {
    if (this.hostName === undefined) this.hostName = hostOf(this.headers);
    return this.hostName;
  }

  header(name: string): string | undefined {
    return single(this.headers[name]);
  }

  metadata(name: string): string | undefined {
    return single(this.meta[name]);
  }

  query(name: string): string | undefined {
    if (this.search === '') return undefined;
    const raw = queryRaw(this.search, name, this.escaped);
    return raw === undefined ? undefined : decode(raw);
  }

  cookie(name: string): string | undefined {
    const header = single(this.headers.cookie);
    return header === undefined ? undefined : cookieValue(header, name);
  }
}

export function createRequestView(init: RequestInit): RequestView {
  return new LazyRequestView(init);
}
