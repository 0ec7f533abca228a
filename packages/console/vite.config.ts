import { Agent } from 'node:https';
import { readTrustedCas } from '@graylane/agent';
import { defineConfig } from 'vite';

const server = process.env.GRAYLANE_SERVER ?? 'http://127.0.0.1:7070';

// No React plugin: the console needs only the JSX transform (automatic runtime), which
// Vite does itself; hot reload is not worth a dependency here.
// The dev server's proxy to an https:// control plane trusts what the agent and CLI
// trust: Node's roots, the system store and GRAYLANE_CA (the built console is served by
// the control plane itself and calls it on its own origin).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  oxc: { jsx: { runtime: 'automatic' } },
  server: {
    proxy: {
      '/v1': server.startsWith('https://')
        ? {
            target: server,
            secure: true,
            agent: new Agent({ ca: readTrustedCas(process.env, 'GL_TLS_INVALID') }),
          }
        : server,
    },
  },
});
