// The contract's JSON documents (shared contract.md), as the dashboard reads them.

export interface TopEntry {
  key: string;
  value: number;
}

export interface PipelineStatus {
  ingest_per_second: number;
  lag_events: number;
  watermark_delay_ms: number;
  freshness_p99_ms: number;
  // Extensions the server adds; absent on older servers.
  checkpoint_age_ms?: number;
  checkpoint_duration_ms?: number;
  checkpoint_rows?: number;
  checkpoint_lock_ms?: number;
}

export interface RealtimeSnapshot {
  ts: number;
  events_per_second: number;
  events_last_minute: number;
  active_users_5m: number;
  revenue_last_hour: number;
  by_type: Record<string, number>;
  top_pages: TopEntry[];
  top_products: TopEntry[];
  pipeline: PipelineStatus;
  currency?: string;
}

export type LiveMessage =
  | { type: "snapshot"; data: RealtimeSnapshot }
  | { type: "anomaly"; [key: string]: unknown }
  | { type: "pattern"; [key: string]: unknown };

export interface MetricInfo {
  name: string;
  kind: string;
  description?: string;
  dimensions: string[];
}

export interface MetricList {
  metrics: MetricInfo[];
}

export type Group = Record<string, string | null>;

export interface MetricSeries {
  group: Group;
  total: number;
  points?: [number, number][];
}

export interface MetricResponse {
  metric: string;
  from: number;
  to: number;
  step: string | null;
  resolution?: string;
  watermark?: number;
  currency?: string;
  series: MetricSeries[];
}

export interface HealthCheck {
  status: string;
  description?: string | null;
  [data: string]: unknown;
}

export interface HealthReport {
  status: string;
  duration_ms?: number;
  checks: Record<string, HealthCheck>;
}

export interface FunnelStep {
  name: string;
  /** Distinct users who reached the step (HyperLogLog). */
  users: number;
  /** Sessions that reached the step (exact). */
  sessions?: number;
  /** Users of this step over users of the step before it. */
  conversion: number;
  /** Users of this step over users of the first step. */
  overall?: number;
}

export interface FunnelResponse {
  name: string;
  steps: FunnelStep[];
}

export interface PatternMatch {
  ts: number;
  user_id: string;
  session_id: string;
  details: Record<string, unknown>;
}

export interface PatternMatches {
  matches: PatternMatch[];
}

export interface Anomaly {
  ts: number;
  metric: string;
  group: Group;
  value: number;
  expected: number;
  score: number;
  severity: "warning" | "critical" | string;
}

export interface AnomalyList {
  anomalies: Anomaly[];
}

/** RFC 9457 problem+json. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: unknown;
}
