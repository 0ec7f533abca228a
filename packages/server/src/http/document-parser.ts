import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GraylaneError, type ParseOptions, type Resource } from '@graylane/core';

// The worker imports core by its resolved file URL, so it works from any directory
// and from the sources as from the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const core = import(workerData.core);
parentPort.on('message', async ({ id, text, options }) => {
  const { parseDocuments, isGraylaneError } = await core;
  try {
    parentPort.postMessage({ id, resources: parseDocuments(text, options) });
  } catch (error) {
    const e = isGraylaneError(error)
      ? error.toJSON()
      : { code: 'GL_INTERNAL', message: String((error && error.message) || error), issues: [] };
    parentPort.postMessage({ id, error: e });
  }
});
`;

type Answer = { id: number; resources?: Resource[]; error?: ReturnType<GraylaneError['toJSON']> };

export interface DocumentParser {
  parse(text: string, options: ParseOptions): Promise<Resource[]>;
  close(): Promise<void>;
}

/**
 * Parses documents on a worker thread. Reading a megabyte of YAML takes the YAML
 * library seconds on a small machine; on the event loop that would hold every other
 * request (health checks, heartbeats, watch streams) for as long. Texts are parsed one
 * at a time, in order.
 */
export function createDocumentParser(): DocumentParser {
  const core = pathToFileURL(createRequire(import.meta.url).resolve('@graylane/core')).href;
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<number, { resolve: (r: Resource[]) => void; reject: (e: unknown) => void }>();

  function failAll(error: unknown): void {
    for (const p of pending.values()) p.reject(GraylaneError.from(error));
    pending.clear();
    worker = undefined;
  }

  function start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { core } });
    w.unref();
    w.on('message', (answer: Answer) => {
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      if (answer.error) {
        const { code, message, issues } = answer.error;
        p.reject(new GraylaneError(code, message, { issues }));
      } else p.resolve(answer.resources ?? []);
    });
    w.on('error', failAll);
    w.on('exit', (code) => {
      if (pending.size > 0) failAll(new Error(`the document parser stopped (exit code ${code})`));
      worker = undefined;
    });
    return w;
  }

  return {
    parse(text, options) {
      worker ??= start();
      const id = next++;
      const w = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, text, options });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
