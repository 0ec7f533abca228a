import type { Auth } from './auth/create-auth.js';
import type { DocumentParser } from './http/document-parser.js';
import type { ConfigHub } from './hub/create-config-hub.js';
import type { Metrics } from './metrics/create-metrics.js';
import type { LaneLeaks } from './metrics/lane-leaks.js';
import type { Registry } from './registry/create-registry.js';
import type { Store } from './store/store.js';

/** The parts a route handler may use. */
export interface ServerContext {
  store: Store;
  hub: ConfigHub;
  registry: Registry;
  metrics: Metrics;
  laneLeaks: LaneLeaks;
  auth: Auth;
  bodyLimit: number;
  /** The largest resource stored, as JSON bytes. */
  maxResourceBytes: number;
  /** Parses YAML/JSON documents off the event loop. */
  documents: DocumentParser;
  /** See ServerOptions.watchBufferBytes. */
  watchBuffer: number;
  log: (line: string) => void;
}
