// nginx as a plain reverse proxy: one worker (like the single-threaded Node proxies),
// keep-alive to the upstream, no logging. Installed from Debian when missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** The nginx binary, installing Debian's nginx-light if none is there; undefined with the reason if that fails. */
export function findNginx() {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { bin: found };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
  } catch (error) {
    return { missing: `apt-get install nginx-light failed: ${error.message.split('\n')[0]}` };
  }
  const installed = CANDIDATES.find((p) => existsSync(p));
  return installed ? { bin: installed } : { missing: 'nginx-light installed no nginx binary' };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startNginx(bin, upstreamPort) {
  const dir = mkdtempSync(join(tmpdir(), 'graylane-bench-nginx-'));
  const port = await freePort();
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # The Node proxies keep client connections open for good: so does nginx (its default
  # closes one after 1000 requests, which the load generator counts as an error).
  keepalive_requests 1000000;
  # Idle upstream connections close before the upstream's own 30 s keep-alive does.
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_timeout 20s; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c) => {
    log += c;
  });
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${log}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { name: 'nginx', child, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`nginx did not answer on ${port}: ${log}`);
}
