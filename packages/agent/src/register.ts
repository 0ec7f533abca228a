// `node --import @graylane/agent/register app.js`: starts the agent before the app.
import { startAgent } from './start-agent.js';

startAgent();
