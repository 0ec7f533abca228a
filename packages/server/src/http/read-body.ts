import type { IncomingMessage } from 'node:http';
import { GraylaneError } from '@graylane/core';
import type { z } from 'zod';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

function tooLarge(limit: number): GraylaneError {
  return new GraylaneError(
    'GL_BODY_TOO_LARGE',
    `the request body is larger than ${limit} bytes: split the documents into several requests`,
  );
}

/**
 * Reads the body up to `limit` bytes. A larger body is read to its end but not
 * kept (so the client sees the 413 rather than a reset), unless it is far larger,
 * which closes the connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (over) {
        chunks.length = 0;
        if (size > limit * 16) {
          reject(tooLarge(limit));
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(tooLarge(limit)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      `the body is not valid JSON (${(error as Error).message}): send a JSON object`,
    );
  }
}

/** Validates a request body once, where it enters; a bad tag keeps its own code. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    document: what,
    path: i.path.join('.'),
    message: i.message,
  }));
  const first = issues[0]!;
  const code = result.error.issues.some((i) => i.path.at(-1) === 'tag' && i.code !== 'invalid_type')
    ? 'GL_TAG_INVALID'
    : 'GL_BAD_REQUEST';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new GraylaneError(code, `${what}${first.path ? ` at ${first.path}` : ''}: ${first.message}${more}`, {
    issues,
  });
}
