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
