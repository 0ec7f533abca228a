import { defineConfig } from 'vite';

// No React plugin: the console needs only the JSX transform (automatic runtime), which
// Vite does itself; hot reload is not worth a dependency here.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/v1': process.env.GRAYLANE_SERVER ?? 'http://127.0.0.1:7070' } },
});
