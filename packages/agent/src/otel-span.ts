// When the app runs OpenTelemetry, the lane of a request is put on its server span as
// the attribute `graylane.tag`, so a trace shows which lane served it. The agent does
// not import @opentelemetry/api (the app's copy is the one that matters, and most apps
// have none): the API keeps its registered context manager on a global under a key per
// major version, and span context keys are `Symbol.for` of their description.
const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

export const TAG_ATTRIBUTE = 'graylane.tag';

interface ContextLike {
  getValue(key: symbol): unknown;
}
interface OtelGlobal {
  context?: { active(): ContextLike | undefined };
}
interface SpanLike {
  setAttribute(key: string, value: string): unknown;
}

const holder = globalThis as unknown as Record<symbol, OtelGlobal | undefined>;

/** Whether the app has registered an OpenTelemetry context manager (cheap: one global read). */
export function otelActive(): boolean {
  return holder[API_KEY]?.context !== undefined;
}

/** Sets `graylane.tag` on the span active right now, if there is one. */
export function tagActiveSpan(tag: string): void {
  const span = holder[API_KEY]?.context?.active()?.getValue(SPAN_KEY) as SpanLike | undefined;
  if (typeof span?.setAttribute === 'function') span.setAttribute(TAG_ATTRIBUTE, tag);
}
