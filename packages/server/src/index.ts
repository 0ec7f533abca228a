export type { Access, Principal } from './auth/create-auth.js';
export type { Trend, TrendPoint } from './metrics/create-metrics.js';
export type { ServerOptions } from './server-options.js';
export { type RunningServer, startServer } from './start-server.js';
export type { ApplyResult, AuditEntry, Role, TokenRecord } from './store/store.js';
