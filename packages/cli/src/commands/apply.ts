import { createReadStream } from 'node:fs';
import { GraylaneError, isGraylaneError, parseDocuments } from '@graylane/core';
import { parseAllDocuments } from 'yaml';
import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane apply -f FILE|- [-f FILE ...] [--dry-run] [options]

Applies resource documents (YAML or JSON, several per file, "-" reads standard
input). Every document is validated before any is applied; --dry-run only validates
and says what would change. Documents without metadata.namespace go to -n.

options:
  -f, --file FILE     a file of documents, or - for standard input
  --dry-run           validate and report, change nothing
${clientFlagsHelp}`;

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Far more than one apply can send (the control plane takes 1 MiB per request), and little
// enough to hold: `-f /dev/zero` or a pipe that never ends is refused, not read until the
// memory runs out.
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

async function readBounded(
  input: NodeJS.ReadableStream & { destroy?(): void },
  name: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_INPUT_BYTES) {
      input.destroy?.();
      throw new GraylaneError(
        'GL_DOCUMENT_INVALID',
        `${name} holds more than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, more than one apply can send: split the documents into several files`,
      );
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

async function read(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes =
      file === '-'
        ? await readBounded(process.stdin, 'standard input')
        : await readBounded(createReadStream(file), file);
  } catch (error) {
    if (isGraylaneError(error)) throw error;
    throw new GraylaneError('GL_DOCUMENT_INVALID', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    // Read leniently, the bad bytes would be applied as U+FFFD: the server refuses them too.
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `${file === '-' ? 'standard input' : file} is not valid UTF-8`,
    );
  }
}

/** The documents of a (valid) text, each given `namespace` unless it names its own. */
function withNamespace(content: string, namespace: string): unknown[] {
  const values = parseAllDocuments(content).flatMap((d) => {
    const v = d.toJS();
    return v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
  });
  for (const v of values) {
    const metadata = (v as { metadata?: Record<string, unknown> }).metadata;
    if (metadata && metadata.namespace === undefined) metadata.namespace = namespace;
  }
  return values;
}

const apply: Command = async (args) => {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      ...clientFlagSpec,
      file: { type: 'string', short: 'f', multiple: true },
      'dry-run': { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const files = values.file ?? [];
  if (files.length === 0) throw usageError('-f FILE is required', USAGE);
  const settings = clientSettings(values);
  const docs: unknown[] = [];
  for (const file of files) {
    const content = await read(file);
    // Checked here first so a mistake is reported with its file, even with no server running.
    try {
      parseDocuments(content);
    } catch (error) {
      if (isGraylaneError(error))
        error.message = `${file === '-' ? 'standard input' : file}: ${error.message}`;
      throw error;
    }
    docs.push(...withNamespace(content, settings.namespace));
  }
  const dryRun = values['dry-run'] === true;
  const answer = await createClient(settings).request('POST', `/v1/apply?dryRun=${dryRun}`, {
    text: JSON.stringify(docs),
    contentType: 'application/json',
  });
  for (const r of answer.results as Array<{
    kind: string;
    name: string;
    namespace: string;
    action: string;
    resourceVersion: string;
  }>) {
    const version = r.resourceVersion ? `, version ${r.resourceVersion}` : '';
    console.log(
      `${r.kind}/${r.name} ${r.action} (${dryRun ? 'dry run; ' : ''}namespace ${r.namespace}${version})`,
    );
  }
  return 0;
};

export default apply;
