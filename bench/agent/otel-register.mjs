// `node --import ./otel-register.mjs app.mjs`: OpenTelemetry's HTTP instrumentation
// set up as users do to propagate trace context only — W3C trace context, a
// sampler that records nothing, no exporter.
import { register } from 'node:module';

// import-in-the-middle, so that ESM imports of node:http get the instrumented module.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { AlwaysOffSampler, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');

const provider = new NodeTracerProvider({ sampler: new AlwaysOffSampler() });
provider.register({ propagator: new W3CTraceContextPropagator() });
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
