import { describe, expect, it } from "vitest";
import type { MetricResponse, RealtimeSnapshot } from "../../src/api/types";
import { applySnapshot, applyTypeSeries, estimateSecondByType, snapshotSecond, stack } from "../../src/data/live";
import { RollingBuffer } from "../../src/data/rollingBuffer";
import { backoffDelay } from "../../src/live/backoff";

const base = 1_800_000_000_000;

function snapshot(over: Partial<RealtimeSnapshot>): RealtimeSnapshot {
  return {
    ts: base + 10_250,
    events_per_second: 0,
    events_last_minute: 0,
    active_users_5m: 0,
    revenue_last_hour: 0,
    by_type: {},
    top_pages: [],
    top_products: [],
    pipeline: { ingest_per_second: 0, lag_events: 0, watermark_delay_ms: 0, freshness_p99_ms: 0 },
    ...over,
  };
}

describe("WS snapshot → per-type second", () => {
  it("counts the last complete second before the snapshot", () => {
    expect(snapshotSecond(snapshot({ ts: base + 10_250 }))).toBe(base + 9000);
  });

  it("splits the second's exact total in the last minute's proportions, summing to the total", () => {
    const est = estimateSecondByType(snapshot({ events_per_second: 101, by_type: { page_view: 600, click: 300, purchase: 100 } }));
    expect(est).toEqual({ page_view: 61, click: 30, purchase: 10 });
    expect(Object.values(est).reduce((a, b) => a + b, 0)).toBe(101);
  });

  it("keeps a total with no type history as 'other', and an idle second empty", () => {
    expect(estimateSecondByType(snapshot({ events_per_second: 5, by_type: {} }))).toEqual({ other: 5 });
    expect(estimateSecondByType(snapshot({ events_per_second: 0, by_type: { click: 9 } }))).toEqual({});
  });

  it("does not overwrite a second that already holds exact values", () => {
    const b = new RollingBuffer(10);
    const s = snapshot({ events_per_second: 10, by_type: { click: 1 } });
    applySnapshot(b, s, new Set([snapshotSecond(s)]));
    expect(b.has(snapshotSecond(s))).toBe(false);
    applySnapshot(b, s, new Set());
    expect(b.get(snapshotSecond(s), "click")).toBe(10);
  });
});

describe("query API → rolling buffer", () => {
  it("writes every second of the range, zero-filled, and reports them", () => {
    const b = new RollingBuffer(10);
    const response: MetricResponse = {
      metric: "events",
      from: base,
      to: base + 3000,
      step: "1s",
      series: [
        { group: { type: "page_view" }, total: 5, points: [[base, 2], [base + 2000, 3]] },
        { group: { type: "purchase" }, total: 1, points: [[base + 1000, 1]] },
      ],
    };
    b.set(base + 1000, { page_view: 99 }); // provisional value, replaced
    expect(applyTypeSeries(b, response)).toEqual([base, base + 1000, base + 2000]);
    const c = b.columns(base + 2000);
    expect(c.keys).toEqual(["page_view", "purchase"]);
    expect(c.values.map((v) => v.slice(-3))).toEqual([
      [2, 0, 3],
      [0, 1, 0],
    ]);
  });
});

describe("stack", () => {
  it("makes each row the running sum of the rows before it", () => {
    expect(stack([[1, 2], [3, 4], [0, 1]])).toEqual([[1, 2], [4, 6], [4, 7]]);
    expect(stack([])).toEqual([]);
  });
});

describe("reconnect backoff", () => {
  it("grows exponentially to a cap, with jitter inside [bound/4, bound]", () => {
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(15_000);
    expect(backoffDelay(20, () => 0)).toBe(3750);
  });

  it("spreads clients: different draws give different delays", () => {
    const draws = [0.1, 0.5, 0.9].map((r) => backoffDelay(4, () => r));
    expect(new Set(draws).size).toBe(3);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(2000);
  });
});
