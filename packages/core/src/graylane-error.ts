/**
 * Every error Graylane raises carries one of these codes. The set is closed and
 * documented in docs/errors.md; a code never changes meaning once released.
 */
export const errorCodes = [
  'GL_DOCUMENT_INVALID',
  'GL_KIND_UNKNOWN',
  'GL_RULE_INVALID',
  'GL_TAG_INVALID',
  'GL_NO_INSTANCE',
  'GL_STRICT_NO_TAGGED_INSTANCE',
  'GL_MQ_FILTER_INVALID',
  'GL_INTERNAL',
  'GL_UNAUTHENTICATED',
  'GL_FORBIDDEN',
  'GL_NOT_FOUND',
  'GL_CONFLICT',
  'GL_BODY_TOO_LARGE',
  'GL_BAD_REQUEST',
  'GL_INSTANCE_UNKNOWN',
  'GL_STORE_UNAVAILABLE',
  'GL_JAVA_MISSING',
  'GL_MAVEN_MISSING',
  'GL_ROCKETMQ_FETCH_FAILED',
  'GL_PORT_IN_USE',
  'GL_DISK_FULL',
  'GL_BROKER_START_FAILED',
  'GL_BROKER_STOP_FAILED',
  'GL_TOPIC_CREATE_FAILED',
  'GL_AGENT_CONFIG_INVALID',
  'GL_CONTROL_PLANE_UNREACHABLE',
  'GL_CACHE_UNREADABLE',
  'GL_MQ_INSTRUMENTATION_FAILED',
  'GL_ROUTE_NOT_FOUND',
  'GL_UPSTREAM_TIMEOUT',
  'GL_UPSTREAM_FAILED',
  'GL_INJECTOR_CERT_INVALID',
  'GL_ADMISSION_REVIEW_INVALID',
  'GL_MQ_SQL92_UNSUPPORTED',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One problem found in an input, located by document and field path. */
export interface Issue {
  /** `Kind/name` of the document, or `document #N` when it has no name. */
  document: string;
  /** Dotted path of the bad field inside the document, e.g. `spec.entry.match.all.0.op`. */
  path: string;
  message: string;
}

export interface GraylaneErrorOptions {
  cause?: unknown;
  issues?: Issue[];
}

// Symbol.for so that `isGraylaneError` holds across two copies of this package:
// the agent lives next to the application's own dependencies.
const brand = Symbol.for('graylane.error');

export class GraylaneError extends Error {
  override readonly name = 'GraylaneError';
  readonly code: ErrorCode;
  readonly issues: Issue[];

  constructor(code: ErrorCode, message: string, options: GraylaneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    Object.defineProperty(this, brand, { value: true });
  }

  /** Turns anything thrown into a GraylaneError, keeping the original as `cause`. */
  static from(thrown: unknown, code: ErrorCode = 'GL_INTERNAL'): GraylaneError {
    if (isGraylaneError(thrown)) return thrown;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new GraylaneError(code, message, { cause: thrown });
  }

  toJSON(): { code: ErrorCode; message: string; issues: Issue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

export function isGraylaneError(value: unknown): value is GraylaneError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Readable multi-line form for people: the message, then one line per issue. */
export function formatError(error: GraylaneError): string {
  const lines = [`${error.code}: ${error.message}`];
  for (const issue of error.issues) {
    lines.push(`  ${issue.document}${issue.path ? ` at ${issue.path}` : ''}: ${issue.message}`);
  }
  return lines.join('\n');
}
