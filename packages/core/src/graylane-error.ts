/**
 * Every error Graylane raises carries one of these codes, with the HTTP status it
 * answers with wherever it crosses HTTP (server, gateway, injector) and a short
 * meaning. This table is the one place a code's status lives: the server, the
 * gateway, the CLI and the console all read it. The set is closed and documented
 * in docs/errors.md (a test checks both directions); a code never changes meaning
 * once released. Codes that are never the caller's fault are 500.
 */
export const errorTable = {
  GL_DOCUMENT_INVALID: { status: 400, meaning: 'the text is not valid YAML or JSON' },
  GL_KIND_UNKNOWN: { status: 400, meaning: 'a document has a kind Graylane does not know' },
  GL_RULE_INVALID: { status: 400, meaning: 'a document does not satisfy its schema' },
  GL_TAG_INVALID: { status: 400, meaning: 'a tag is not valid' },
  GL_TAG_RESERVED: { status: 400, meaning: 'a tag is baseline, the name metrics give untagged traffic' },
  GL_NO_INSTANCE: { status: 503, meaning: 'the target app has no instance for the request' },
  GL_STRICT_NO_TAGGED_INSTANCE: { status: 503, meaning: 'a strict lane found no instance with its tag' },
  GL_MQ_FILTER_INVALID: { status: 400, meaning: 'a name cannot be used safely in a RocketMQ subscription' },
  GL_INTERNAL: { status: 500, meaning: 'an unexpected failure inside Graylane' },
  GL_UNAUTHENTICATED: { status: 401, meaning: 'no token, or an unknown or expired one' },
  GL_FORBIDDEN: { status: 403, meaning: 'the token may not do this' },
  GL_NOT_FOUND: { status: 404, meaning: 'no such resource, app, token or endpoint' },
  GL_CONFLICT: { status: 409, meaning: 'the request conflicts with what is stored' },
  GL_BODY_TOO_LARGE: { status: 413, meaning: 'the request body is over the limit' },
  GL_BAD_REQUEST: { status: 400, meaning: 'a request body or parameter is malformed' },
  GL_INSTANCE_UNKNOWN: { status: 404, meaning: 'a heartbeat for an instance the registry does not hold' },
  GL_STORE_UNAVAILABLE: { status: 503, meaning: 'the database cannot be reached or written' },
  GL_JAVA_MISSING: { status: 500, meaning: 'java cannot be run or is too old' },
  GL_MAVEN_MISSING: { status: 500, meaning: 'mvn cannot be run' },
  GL_ROCKETMQ_FETCH_FAILED: { status: 500, meaning: 'the RocketMQ jars could not be downloaded' },
  GL_KAFKA_FETCH_FAILED: { status: 500, meaning: 'the Kafka jars could not be downloaded' },
  GL_PORT_IN_USE: { status: 500, meaning: 'a port the broker needs is taken' },
  GL_DISK_FULL: { status: 500, meaning: 'the disk holding the cache is nearly full' },
  GL_BROKER_START_FAILED: { status: 500, meaning: 'a local broker did not start' },
  GL_BROKER_STOP_FAILED: { status: 500, meaning: 'a local broker did not stop' },
  GL_TOPIC_CREATE_FAILED: { status: 500, meaning: 'a topic could not be created' },
  GL_BROKER_QUERY_FAILED: { status: 500, meaning: "a broker did not tell a consumer group's backlog" },
  GL_AGENT_CONFIG_INVALID: { status: 500, meaning: 'an agent environment variable is invalid' },
  GL_CONTROL_PLANE_UNREACHABLE: { status: 503, meaning: 'the control plane cannot be reached' },
  GL_CACHE_UNREADABLE: { status: 500, meaning: 'the agent cannot write its config cache' },
  GL_MQ_INSTRUMENTATION_FAILED: { status: 500, meaning: 'the agent failed inside a message client hook' },
  GL_ROUTE_NOT_FOUND: { status: 404, meaning: 'no gateway route matches the path' },
  GL_UPSTREAM_TIMEOUT: { status: 504, meaning: 'the app did not answer in time' },
  GL_UPSTREAM_FAILED: { status: 502, meaning: 'the app could not be reached or did not answer' },
  GL_INJECTOR_CERT_INVALID: { status: 500, meaning: 'the injector cannot use its certificate' },
  GL_ADMISSION_REVIEW_INVALID: { status: 400, meaning: 'the request is not an AdmissionReview' },
  GL_INSTRUMENTATION_UNSUPPORTED: {
    status: 500,
    meaning: 'an instrumented library is outside the supported versions or lacks a patched method',
  },
  GL_MQ_SQL92_UNSUPPORTED: { status: 500, meaning: 'the broker refused a SQL92 subscription' },
  GL_USAGE: { status: 400, meaning: 'a command line is wrong (exit code 2)' },
  GL_INSTANCE_TTL_TOO_SHORT: { status: 400, meaning: 'the instance TTL is below 3 s' },
  GL_INSTANCE_LOOPBACK: {
    status: 500,
    meaning: 'an instance bound to loopback cannot be reached from other hosts',
  },
  GL_LANE_LEAK: { status: 500, meaning: 'a request reached an instance its lane should not reach' },
  GL_CONSUMER_GROUPS_TRIMMED: {
    status: 500,
    meaning: 'an instance has more consumer groups than the registry accepts; the rest are not reported',
  },
  GL_RESOURCE_TOO_LARGE: { status: 413, meaning: 'a resource is larger than a stored resource may be' },
  GL_ROLLOUT_STATE: { status: 409, meaning: "a rollout verb does not fit the rollout's phase" },
  GL_ROLLOUT_LANE_TAKEN: { status: 409, meaning: 'another Rollout already drives the lane' },
  GL_ROLLOUT_WEBHOOK_FAILED: { status: 500, meaning: 'a rollout webhook kept failing' },
  GL_PROMETHEUS_QUERY_FAILED: { status: 500, meaning: 'a prometheus analysis metric could not be read' },
  GL_TLS_INVALID: { status: 500, meaning: 'a TLS certificate, key or CA cannot be used' },
} as const satisfies Record<`GL_${string}`, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof errorTable;

export const errorCodes = Object.keys(errorTable) as ErrorCode[];

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return errorTable[code]?.status ?? 500;
}

/** The code a bare HTTP status stands for, when an answer carries no code of its own. */
export function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'GL_UNAUTHENTICATED';
  if (status === 403) return 'GL_FORBIDDEN';
  if (status === 404) return 'GL_NOT_FOUND';
  if (status === 409) return 'GL_CONFLICT';
  if (status === 413) return 'GL_BODY_TOO_LARGE';
  if (status === 503) return 'GL_STORE_UNAVAILABLE';
  return status >= 400 && status < 500 ? 'GL_BAD_REQUEST' : 'GL_INTERNAL';
}

/** The code of an answer: the one it carries when it is known, else the one its status stands for. */
export function errorCodeOf(code: unknown, status: number): ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorTable, code)
    ? (code as ErrorCode)
    : codeOfStatus(status);
}

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
