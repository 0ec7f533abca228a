export interface Instance {
  id: string;
  app: string;
  tag: string;
  address: string;
  ports: Record<string, number>;
  protocols?: string[];
  consumerGroups?: string[];
  metadata?: Record<string, string>;
  namespace: string;
  lastHeartbeat: number;
}

export interface AppSummary {
  name: string;
  instances: Record<string, number>;
}

export interface TrendPoint {
  t: number;
  qps: number;
  errorRate: number;
  p50: number | null;
  p99: number | null;
  /** Messages per second produced and consumed in this lane. */
  produced: number;
  consumed: number;
}

/** How a lane's call reached its target. */
export type EdgeReach = 'lane' | 'fallback' | 'leak';

export interface LaneEdge {
  from: string;
  to: string;
  targetTag: string;
  reached: EdgeReach;
  rate: number;
  errorRate: number;
  requests: number;
  errors: number;
  p99Seconds: number | null;
}

export interface LaneMap {
  windowMs: number;
  lanes: Array<{ tag: string; edges: LaneEdge[] }>;
}

export interface MessageRates {
  windowMs: number;
  items: Array<{ app: string; tag: string; system: string; produced: number; consumed: number }>;
}

export interface Trend {
  step: number;
  series: Array<{ tag: string; points: TrendPoint[] }>;
}

export interface AuditEntry {
  id: number | string;
  at: number | string;
  actor: string;
  action: string;
  kind: string;
  namespace: string | null;
  name: string;
  before: unknown;
  after: unknown;
}

export const tagLabel = (tag: string) => (tag === '' ? 'baseline' : tag);
