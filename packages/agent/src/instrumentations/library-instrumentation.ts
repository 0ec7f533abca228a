import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Agent } from '../create-agent.js';
import { patchMethod } from './patch-method.js';

/**
 * One instrumented library, after OpenTelemetry's InstrumentationNodeModuleDefinition:
 * the package, the versions its patches were written and tested against, the file whose
 * loading triggers them, and the patch itself. A version outside the range is still
 * patched (a minor release rarely moves what we touch) but said loudly; a patch target
 * that is missing is said loudly and left alone, never skipped in silence.
 */
export interface LibraryInstrumentation {
  /** The npm package name. */
  name: string;
  /** Supported versions: space-separated comparators, e.g. `>=2.0.0 <3`. */
  versions: string;
  /** The CommonJS file (path suffix) whose exports are patched. */
  module: string;
  /** Applies the patches; returns the undo. */
  patch(exports: unknown, tools: PatchTools): () => void;
}

export interface PatchTools {
  agent: Agent;
  /** The installed version, or undefined when its package.json cannot be read. */
  version: string | undefined;
  /** `patchMethod`, plus a loud GL_INSTRUMENTATION_UNSUPPORTED when the method is not there. */
  patch<T extends object, K extends keyof T & string>(
    target: T | undefined,
    name: K,
    what: string,
    wrap: (original: T[K]) => T[K],
  ): () => void;
}

/** Patches a loaded library as `definition` says; `filename` is the file that was loaded. */
export function applyInstrumentation(
  definition: LibraryInstrumentation,
  exports: unknown,
  filename: string,
  agent: Agent,
): () => void {
  const version = packageVersion(filename, definition.name);
  const label = `${definition.name}${version === undefined ? '' : `@${version}`}`;
  if (version === undefined || !satisfies(version, definition.versions)) {
    agent.log.once(
      `GL_INSTRUMENTATION_UNSUPPORTED:${definition.name}`,
      `GL_INSTRUMENTATION_UNSUPPORTED: ${label} is outside the versions the agent supports (${definition.versions}); ` +
        'patching it anyway, and saying so for every hook that finds nothing to patch',
    );
  }
  const tools: PatchTools = {
    agent,
    version,
    patch(target, name, what, wrap) {
      const holder = target as Record<string, unknown> | undefined;
      if (holder === undefined || holder === null || typeof holder[name] !== 'function') {
        agent.log.error(
          `GL_INSTRUMENTATION_UNSUPPORTED: ${label} has no ${what}; this part of the lanes is off for it ` +
            `(supported: ${definition.name} ${definition.versions})`,
        );
        return () => {};
      }
      return patchMethod(target as NonNullable<typeof target>, name, wrap);
    },
  };
  return definition.patch(exports, tools);
}

function packageVersion(filename: string, name: string): string | undefined {
  for (let dir = dirname(filename); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Whether `version` meets every comparator of `range` (`>=1.2.3 <2`, `<=`, `>`, `=`). */
export function satisfies(version: string, range: string): boolean {
  const have = parts(version);
  if (have === undefined) return false;
  return range
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const match = /^(>=|<=|>|<|=)?(.+)$/.exec(comparator);
      const want = match ? parts(match[2] as string) : undefined;
      if (!match || want === undefined) return false;
      const order = compare(have, want);
      switch (match[1]) {
        case '>=':
          return order >= 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '<':
          return order < 0;
        default:
          return order === 0;
      }
    });
}

function parts(version: string): number[] | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(-.+)?$/.exec(version.trim());
  if (!match) return undefined;
  // A pre-release sorts below its release: 2.3.0-beta.1 < 2.3.0.
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0), match[4] ? -1 : 0];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 4; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
