export { type AgentConfig, readAgentConfig } from './agent-config.js';
export { type Agent, createAgent, type Protocol } from './create-agent.js';
export { currentTag, runInLane } from './lane-context.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export {
  type CodeClass,
  grpcCodeClass,
  httpCodeClass,
  type MessageSample,
  type MetricsReport,
  type OutboundRecord,
} from './metrics-recorder.js';
export type { Hop, Outbound, Progress, TagFields } from './outbound/create-outbound.js';
export { IDEMPOTENT_METHODS } from './outbound/failure-kind.js';
export { startAgent } from './start-agent.js';
export { BAGGAGE_KEY, extractTag, TAG_HEADER } from './tag-carrier.js';
export { readTrustedCas } from './trusted-cas.js';
