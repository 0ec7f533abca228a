import type * as Http from 'node:http';
import type * as Https from 'node:https';

// The agent takes node:http and node:https with getBuiltinModule rather than an ESM
// import. When an app preloads OpenTelemetry before the agent, its ESM loader hook
// (import-in-the-middle) wraps the first ESM import of node:http and copies the
// exports at that moment; were that import the agent's, the copy would predate the
// agent's patches, and the app's `import { request } from 'node:http'` would miss
// them. Taken this way, the app's own import makes the copy, after the patches.
export const httpModule: typeof Http = process.getBuiltinModule('node:http');
export const httpsModule: typeof Https = process.getBuiltinModule('node:https');
