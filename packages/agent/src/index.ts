export { type AgentConfig, readAgentConfig } from './agent-config.js';
export { type Agent, createAgent, type Protocol } from './create-agent.js';
export { currentTag, runInLane } from './lane-context.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export type { Target } from './routing-state.js';
export { startAgent } from './start-agent.js';
export { BAGGAGE_KEY, extractTag, TAG_HEADER } from './tag-carrier.js';
