import type { Group, MetricResponse } from "../api/types";

export interface TableRow {
  key: string;
  /** One cell per grouped dimension, in `dimensions` order ("(none)" where the event had none). */
  cells: string[];
  total: number;
  /** Share of the sum of all rows' totals (not meaningful for unique counts; callers decide). */
  share: number;
}

export const noneLabel = "(none)";

export function groupKey(group: Group, dimensions: readonly string[]): string {
  return dimensions.map((d) => `${d}=${group[d] ?? ""}`).join("&");
}

/** "type=purchase · country=DE"; the ungrouped series is "all". */
export function groupLabel(group: Group, dimensions: readonly string[]): string {
  if (dimensions.length === 0) return "all";
  return dimensions.map((d) => group[d] ?? noneLabel).join(" · ");
}

/** The dimensions a response is grouped by: those named in its groups, in the order asked. */
export function responseDimensions(response: MetricResponse, asked: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const s of response.series) for (const k of Object.keys(s.group)) seen.add(k);
  const ordered = asked.filter((d) => seen.has(d));
  for (const d of seen) if (!ordered.includes(d)) ordered.push(d);
  return ordered;
}

/** A metric response as table rows, largest total first (the server's order for top-N is kept on ties). */
export function toTableRows(response: MetricResponse, dimensions: readonly string[]): TableRow[] {
  const sum = response.series.reduce((s, x) => s + x.total, 0);
  return response.series
    .map((s, index) => ({
      index,
      row: {
        key: groupKey(s.group, dimensions),
        cells: dimensions.map((d) => s.group[d] ?? noneLabel),
        total: s.total,
        share: sum > 0 ? s.total / sum : 0,
      },
    }))
    .sort((a, b) => b.row.total - a.row.total || a.index - b.index)
    .map((x) => x.row);
}

export interface ChartSeries {
  xs: number[];
  labels: string[];
  ys: (number | null)[][];
}

/**
 * A stepped response as aligned columns for uPlot: one x per step from `from` to `to` (seconds),
 * one column per group (the `maxSeries` largest), 0 where a group had no point in a step.
 */
export function toChartSeries(response: MetricResponse, dimensions: readonly string[], stepMs: number, maxSeries = 10): ChartSeries {
  const xsMs: number[] = [];
  if (stepMs > 0) for (let ts = response.from; ts < response.to; ts += stepMs) xsMs.push(ts);
  const index = new Map<number, number>();
  xsMs.forEach((ts, i) => index.set(ts, i));
  const ordered = [...response.series].sort((a, b) => b.total - a.total).slice(0, maxSeries);
  const ys = ordered.map((s) => {
    const column = new Array<number | null>(xsMs.length).fill(0);
    for (const [ts, value] of s.points ?? []) {
      const i = index.get(ts);
      if (i !== undefined) column[i] = value;
    }
    return column;
  });
  return { xs: xsMs.map((ts) => ts / 1000), labels: ordered.map((s) => groupLabel(s.group, dimensions)), ys };
}

/** The sum of every group's total; for unique counts use the ungrouped total instead. */
export function grandTotal(response: MetricResponse): number {
  return response.series.reduce((s, x) => s + x.total, 0);
}
