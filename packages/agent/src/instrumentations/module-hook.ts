import Module from 'node:module';
import { patchMethod } from './patch-method.js';

type Loader = (exports: unknown, filename: string) => void;

/**
 * Calls `onLoad(exports)` when a CommonJS file whose path ends with `suffix` is
 * loaded, whether the app `require`s it or `import`s it from ESM (Node loads
 * CommonJS packages through Module#load in both cases).
 */
export function onModuleLoad(hooks: Record<string, Loader>, onError: (error: unknown) => void): () => void {
  const suffixes = Object.entries(hooks);
  const proto = Module.prototype as unknown as { load(filename: string): void; exports: unknown };
  return patchMethod(
    proto,
    'load',
    (original) =>
      function load(this: { exports: unknown }, filename: string) {
        original.call(this, filename);
        for (const [suffix, hook] of suffixes) {
          if (!filename.replaceAll('\\', '/').endsWith(suffix)) continue;
          try {
            hook(this.exports, filename);
          } catch (error) {
            onError(error);
          }
        }
      },
  );
}
