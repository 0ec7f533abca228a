import type { IncomingMessage } from 'node:http';
import { GraylaneError, shapeIssue } from '@graylane/core';
import type { z } from 'zod';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function tooLarge(limit: number): GraylaneError {
  return new GraylaneError(
    'GL_BODY_TOO_LARGE',
    `the request body is larger than ${limit} bytes: split the documents into several requests`,
  );
}

/** The declared length is over the limit: the answer needs none of the body. */
export function declaresTooMuch(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length'] ?? 0);
  return declared > limit;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the body up to `limit` bytes and decodes it as UTF-8. A body over the limit
 * (declared or counted, chunked or not) is refused as soon as that is known; the rest
 * is not kept, and the answer closes the connection (see `send.ts`).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (declaresTooMuch(req, limit)) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off('data', onData);
      req.resume(); // the rest is read and dropped until the answer closes the connection
      reject(tooLarge(limit));
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > limit) return;
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        // Decoding leniently would store U+FFFD in place of what was sent.
        reject(new GraylaneError('GL_BAD_REQUEST', 'the request body is not valid UTF-8: send UTF-8 text'));
      }
    });
    req.on('error', reject);
  });
}

/** Parses a JSON request body; a document body goes through `parseResource` instead. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      `the body is not valid JSON (${(error as Error).message}): send a JSON object`,
    );
  }
  const issue = shapeIssue(value, 'request body');
  if (issue) {
    throw new GraylaneError(
      'GL_BAD_REQUEST',
      `request body${issue.path ? ` at ${issue.path}` : ''}: ${issue.message}`,
      {
        issues: [issue],
      },
    );
  }
  return value;
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
  const tagIssue = result.error.issues.find((i) => i.path.at(-1) === 'tag' && i.code !== 'invalid_type');
  const reserved = tagIssue?.code === 'custom' && tagIssue.params?.code === 'GL_TAG_RESERVED';
  const code = tagIssue ? (reserved ? 'GL_TAG_RESERVED' : 'GL_TAG_INVALID') : 'GL_BAD_REQUEST';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new GraylaneError(code, `${what}${first.path ? ` at ${first.path}` : ''}: ${first.message}${more}`, {
    issues,
  });
}
