import { getJson, queryString } from "../api/client";
import type { MetricResponse, RealtimeSnapshot } from "../api/types";
import { applySnapshot, applyTypeSeries, snapshotSecond } from "../data/live";
import { RollingBuffer, RollingValue } from "../data/rollingBuffer";
import { LiveFeed } from "./LiveFeed";

export const windowSeconds = 300;
/** Every this many snapshots, the last seconds are re-read exactly from the query API. */
const reconcileEvery = 3;
const reconcileSeconds = 12;

export type KpiName =
  | "events_per_second"
  | "events_last_minute"
  | "active_users_5m"
  | "orders_last_minute"
  | "revenue_last_hour"
  | "ingest_per_second"
  | "lag_events"
  | "watermark_delay_ms"
  | "freshness_p99_ms"
  | "checkpoint_age_ms";

const kpiNames: KpiName[] = [
  "events_per_second",
  "events_last_minute",
  "active_users_5m",
  "orders_last_minute",
  "revenue_last_hour",
  "ingest_per_second",
  "lag_events",
  "watermark_delay_ms",
  "freshness_p99_ms",
  "checkpoint_age_ms",
];

function kpiValue(s: RealtimeSnapshot, name: KpiName): number {
  switch (name) {
    case "orders_last_minute":
      return s.by_type.purchase ?? 0;
    case "ingest_per_second":
    case "lag_events":
    case "watermark_delay_ms":
    case "freshness_p99_ms":
    case "checkpoint_age_ms":
      return s.pipeline[name] ?? 0;
    default:
      return s[name];
  }
}

/**
 * The page's memory of the live feed: per-type events per second over the last 5 minutes (seeded
 * from the query API, extended by every snapshot, corrected from the API every few seconds) and
 * each KPI's recent values. Lives for the whole page so switching views keeps the history.
 */
export class LiveStore {
  readonly byType = new RollingBuffer(windowSeconds);
  readonly kpis = new Map<KpiName, RollingValue>(kpiNames.map((n) => [n, new RollingValue(windowSeconds)]));
  private readonly exact = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private snapshots = 0;
  private reconciling = false;
  private seeded: Promise<void> | null = null;
  version = 0;
  latest: RealtimeSnapshot | null = null;
  seedError: unknown = null;

  constructor(readonly feed: LiveFeed) {
    feed.onSnapshot((s) => this.receive(s));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  start(): void {
    this.feed.start();
    this.seed();
  }

  /** Loads the last 5 minutes by type, once (again after a failure, on the next snapshot). */
  seed(): Promise<void> {
    if (!this.seeded) {
      const end = Math.floor(Date.now() / 1000) * 1000;
      this.seeded = this.load(end - windowSeconds * 1000, end)
        .then(() => {
          this.seedError = null;
        })
        .catch((e: unknown) => {
          this.seedError = e;
          this.seeded = null;
        })
        .finally(() => this.changed());
    }
    return this.seeded;
  }

  private async load(from: number, to: number): Promise<void> {
    const response = await getJson<MetricResponse>(`/v1/metrics/events${queryString([["from", from], ["to", to], ["step", "1s"], ["group_by", "type"]])}`);
    for (const ts of applyTypeSeries(this.byType, response)) this.exact.add(ts);
    // Exact marks older than the window are no longer needed.
    const oldest = to - (windowSeconds + 10) * 1000;
    for (const ts of this.exact) if (ts < oldest) this.exact.delete(ts);
  }

  private receive(snapshot: RealtimeSnapshot): void {
    this.latest = snapshot;
    applySnapshot(this.byType, snapshot, this.exact);
    const second = snapshotSecond(snapshot);
    for (const [name, buffer] of this.kpis) buffer.push(second, kpiValue(snapshot, name));
    if (this.seedError) void this.seed();
    if (++this.snapshots % reconcileEvery === 0) void this.reconcile(second + 1000);
    this.changed();
  }

  private async reconcile(end: number): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      await this.load(end - reconcileSeconds * 1000, end);
      this.changed();
    } catch {
      // the next round tries again; provisional values stay meanwhile
    } finally {
      this.reconciling = false;
    }
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

let store: LiveStore | null = null;

export function liveStore(): LiveStore {
  if (!store) store = new LiveStore(LiveFeed.forPage());
  return store;
}
