import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build -w @graylane/console` writes the console, seen from this file (src or dist). */
export const defaultConsoleDir = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const apiPaths = ['/v1', '/openapi.json', '/healthz', '/metrics'];

/** GET and HEAD of everything outside the API belong to the console (the SPA routes its own paths). */
export function isConsoleRequest(method: string | undefined, pathname: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return !apiPaths.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// The console talks to this server only; nothing inline, nothing from elsewhere.
const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Graylane</title>
<h1>The Graylane console has not been built</h1>
<p>Build it with <code>npm run build -w @graylane/console</code> (or <code>make build</code>) and reload.
The control plane API is running: it is described at <a href="/openapi.json">/openapi.json</a>.</p>
`;

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  body: Buffer | string,
  headers: Record<string, string>,
) {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...securityHeaders, ...headers, 'content-length': String(data.length) });
  res.end(req.method === 'HEAD' ? undefined : data);
}

async function readIfFile(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Serves the built console: files from `dir`, `index.html` for any other path without
 * a file extension (client-side routes), long caching for Vite's content-hashed
 * `assets/`, and revalidation for `index.html` so a new build is picked up at once.
 */
export function createConsoleHandler(dir: string = defaultConsoleDir) {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      decoded = '/';
    }
    const file = normalize(join(root, decoded));
    const inside = file.startsWith(root) && !decoded.includes('\0');
    const body = inside && decoded !== '/' ? await readIfFile(file) : undefined;
    if (body) {
      const hashed = decoded.startsWith('/assets/');
      send(res, req, 200, body, {
        'content-type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      return;
    }
    if (extname(decoded) !== '' && decoded !== '/') {
      send(res, req, 404, `not found: ${pathname}\n`, { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    const index = await readIfFile(join(root, 'index.html'));
    if (!index) {
      send(res, req, 503, notBuilt, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      return;
    }
    send(res, req, 200, index, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  };
}
