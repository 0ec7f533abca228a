import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { GraylaneError, type ParseOptions, type Resource } from '@graylane/core';

// The parser imports core by its resolved file URL, so it works from any directory
// and from the sources as from the build.
const PARSER_SOURCE = `
const core = import(process.env.GRAYLANE_CORE_URL);
process.on('message', async ({ id, text, options }) => {
  const { parseDocuments, isGraylaneError } = await core;
  try {
    process.send({ id, resources: parseDocuments(text, options) });
  } catch (error) {
    const e = isGraylaneError(error)
      ? error.toJSON()
      : { code: 'GL_INTERNAL', message: String((error && error.message) || error), issues: [] };
    process.send({ id, error: e });
  }
});
`;

type Answer = { id: number; resources?: Resource[]; error?: ReturnType<GraylaneError['toJSON']> };

export interface DocumentParser {
  parse(text: string, options: ParseOptions): Promise<Resource[]>;
  close(): Promise<void>;
}

/**
 * Parses documents in a child process. Reading a megabyte of YAML takes the YAML
 * library seconds on a small machine; on the event loop that would hold every other
 * request (health checks, heartbeats, watch streams) for as long. And a text can make
 * the library allocate without bound before any limit of ours looks at it: V8 ends a
 * whole process on some out-of-memory paths even inside a worker thread with its own
 * heap limit, so the parser gets a process of its own, with a heap limit, and only it
 * dies. Texts are parsed one at a time, in order; the next text gets a fresh parser.
 */
export function createDocumentParser({ heapLimitMb = 512 }: { heapLimitMb?: number } = {}): DocumentParser {
  const core = pathToFileURL(createRequire(import.meta.url).resolve('@graylane/core')).href;
  let child: ChildProcess | undefined;
  let next = 0;
  const pending = new Map<number, { resolve: (r: Resource[]) => void; reject: (e: unknown) => void }>();

  function failAll(error: GraylaneError): void {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function start(): ChildProcess {
    const c = spawn(process.execPath, [`--max-old-space-size=${heapLimitMb}`, '-e', PARSER_SOURCE], {
      env: { ...process.env, GRAYLANE_CORE_URL: core, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    c.unref();
    c.channel?.unref();
    c.on('message', (answer: Answer) => {
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      if (answer.error) {
        const { code, message, issues } = answer.error;
        p.reject(new GraylaneError(code, message, { issues }));
      } else p.resolve(answer.resources ?? []);
    });
    c.on('error', (error) => {
      if (child === c) child = undefined;
      failAll(GraylaneError.from(error));
    });
    c.on('exit', (code, signal) => {
      if (child === c) child = undefined;
      if (pending.size === 0) return;
      // The parser only exits on its own when it ran out of memory on the text it held.
      failAll(
        new GraylaneError(
          'GL_DOCUMENT_INVALID',
          `parsing this text needed more than ${heapLimitMb} MB (parser ended with ${signal ?? `exit code ${code}`}): send smaller or simpler documents`,
        ),
      );
    });
    return c;
  }

  return {
    parse(text, options) {
      child ??= start();
      const id = next++;
      const c = child;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        c.send({ id, text, options });
      });
    },
    async close() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        // Held while it ends: unreferenced, the child's exit would not keep the event loop
        // alive, and a host whose last work is this close would exit with it never settled.
        c.ref();
        c.kill();
      });
    },
  };
}
