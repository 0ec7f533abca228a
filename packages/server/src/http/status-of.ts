import type { ErrorCode } from '@graylane/core';

const statuses: Partial<Record<ErrorCode, number>> = {
  GL_DOCUMENT_INVALID: 400,
  GL_KIND_UNKNOWN: 400,
  GL_RULE_INVALID: 400,
  GL_TAG_INVALID: 400,
  GL_MQ_FILTER_INVALID: 400,
  GL_BAD_REQUEST: 400,
  GL_UNAUTHENTICATED: 401,
  GL_FORBIDDEN: 403,
  GL_NOT_FOUND: 404,
  GL_INSTANCE_UNKNOWN: 404,
  GL_CONFLICT: 409,
  GL_BODY_TOO_LARGE: 413,
  GL_STORE_UNAVAILABLE: 503,
};

/** The HTTP status of an error code; codes that are not the caller's fault are 500. */
export function statusOf(code: ErrorCode): number {
  return statuses[code] ?? 500;
}
