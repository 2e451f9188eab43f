import { describe, expect, it } from "vitest";
import type { MetricResponse } from "../../src/api/types";
import { grandTotal, groupLabel, responseDimensions, toChartSeries, toTableRows } from "../../src/data/metricShape";

const t0 = 1_800_000_000_000;

const grouped: MetricResponse = {
  metric: "events",
  from: t0,
  to: t0 + 180_000,
  step: "1m",
  resolution: "1m",
  series: [
    { group: { type: "click", country: "DE" }, total: 30, points: [[t0, 10], [t0 + 120_000, 20]] },
    { group: { type: "page_view", country: null }, total: 60, points: [[t0, 20], [t0 + 60_000, 20], [t0 + 120_000, 20]] },
    { group: { type: "purchase", country: "FR" }, total: 10, points: [[t0 + 60_000, 10]] },
  ],
};

describe("metric response → table rows", () => {
  it("one row per group, largest first, cells in group_by order, (none) for a missing dimension", () => {
    const rows = toTableRows(grouped, ["country", "type"]);
    expect(rows.map((r) => r.cells)).toEqual([
      ["(none)", "page_view"],
      ["DE", "click"],
      ["FR", "purchase"],
    ]);
    expect(rows.map((r) => r.total)).toEqual([60, 30, 10]);
    expect(rows.map((r) => r.share)).toEqual([0.6, 0.3, 0.1]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  });

  it("the ungrouped series is a single 'all' row", () => {
    const single: MetricResponse = { metric: "events", from: t0, to: t0 + 1, step: null, series: [{ group: {}, total: 42 }] };
    const rows = toTableRows(single, []);
    expect(rows).toEqual([{ key: "", cells: [], total: 42, share: 1 }]);
    expect(groupLabel({}, [])).toBe("all");
    expect(grandTotal(single)).toBe(42);
  });

  it("knows the dimensions from the groups, in the order asked", () => {
    expect(responseDimensions(grouped, ["country", "type"])).toEqual(["country", "type"]);
    expect(responseDimensions(grouped, [])).toEqual(["type", "country"]);
  });
});

describe("metric response → chart series", () => {
  it("aligns every group on one x per step, zero where a group had no point", () => {
    const c = toChartSeries(grouped, ["type", "country"], 60_000);
    expect(c.xs).toEqual([t0 / 1000, t0 / 1000 + 60, t0 / 1000 + 120]);
    expect(c.labels).toEqual(["page_view · (none)", "click · DE", "purchase · FR"]);
    expect(c.ys).toEqual([
      [20, 20, 20],
      [10, 0, 20],
      [0, 10, 0],
    ]);
  });

  it("draws only the largest groups", () => {
    expect(toChartSeries(grouped, ["type"], 60_000, 2).labels).toEqual(["page_view", "click"]);
  });

  it("sums totals for the headline figure", () => {
    expect(grandTotal(grouped)).toBe(100);
  });
});
