import { useEffect, useLayoutEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatTime } from "../format/format";
import { cssVar, useScheme } from "./theme";

export interface ChartLine {
  label: string;
  color: string;
  /** Fill under the line (stacked areas, bars). */
  fill?: boolean;
  bars?: boolean;
  /** Which y scale: "y" (left) or "y2" (right). */
  scale?: "y" | "y2";
}

export interface ChartProps {
  /** Accessible name of the chart (canvas has none of its own). */
  label: string;
  height: number;
  lines: ChartLine[];
  /** uPlot's aligned data: [xs in seconds, ...one column per line]. */
  data: uPlot.AlignedData;
  formatY?: (value: number) => string;
  formatY2?: (value: number) => string;
  /** Shown over an empty chart. */
  empty?: string | null;
  /** For stacked charts the legend shows each band's own value, not the stacked height. */
  legendValues?: (lineIndex: number, pointIndex: number) => number | null;
  sparkline?: boolean;
  xSpanSeconds?: number;
  testId?: string;
  /** Milliseconds to render, measured for the performance budget. */
  onUpdate?: (ms: number) => void;
}

/** Room kept under a chart for its legend (two lines), so a legend that wraps never moves what is below. */
const legendReserve = 56;

/** Tick labels: with seconds when ticks are less than a minute apart, with the date when days apart. */
function timeTicks(ticks: number[]): string[] {
  const gap = ticks.length > 1 ? ticks[1]! - ticks[0]! : 60;
  if (gap >= 86_400) return ticks.map((t) => new Date(t * 1000).toLocaleDateString(undefined, { month: "short", day: "numeric" }));
  return ticks.map((t) => formatTime(t * 1000, { seconds: gap < 60, now: t * 1000 }));
}

/** Room for the widest y label, so "200 ms" is never cut to "00 ms". */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = (values ?? []).reduce((m, v) => Math.max(m, v.length), 0);
  return Math.max(36, 14 + longest * 7.5);
}

function hasData(data: uPlot.AlignedData): boolean {
  for (let i = 1; i < data.length; i++) {
    const col = data[i]!;
    for (let j = 0; j < col.length; j++) if (col[j] !== null && col[j] !== undefined && col[j] !== 0) return true;
  }
  return false;
}

/**
 * A uPlot chart of fixed height: created once per shape (lines, theme), then fed new data in place
 * with setData, so live updates neither flicker nor move the layout.
 */
export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useScheme();
  const latest = useRef(props);
  latest.current = props;
  const shape = `${props.lines.map((l) => `${l.label}|${l.color}|${l.scale ?? "y"}`).join(",")}|${scheme}|${props.height}|${props.sparkline ? 1 : 0}`;

  useLayoutEffect(() => {
    const el = host.current;
    if (!el) return;
    const p = latest.current;
    const axis = cssVar("--chart-axis") || "#666";
    const grid = cssVar("--chart-grid") || "#ddd";
    const width = Math.max(100, el.clientWidth);
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
    const series: uPlot.Series[] = [
      { value: (_u, v) => (v === null ? "–" : formatTime(v * 1000)) },
      ...p.lines.map((l, i) => ({
        label: l.label,
        stroke: l.color,
        width: p.sparkline ? 1.5 : l.fill ? 1 : 2,
        fill: l.fill ? l.color : undefined,
        scale: l.scale ?? "y",
        paths: l.bars ? bars : undefined,
        points: { show: false },
        value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => {
          const shown = latest.current.legendValues && idx !== null ? latest.current.legendValues(i, idx) : v;
          const fmt = (l.scale === "y2" ? latest.current.formatY2 : latest.current.formatY) ?? String;
          return shown === null || shown === undefined ? "–" : fmt(shown);
        },
      })),
    ];
    const axisStyle = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      width,
      height: p.height,
      series,
      legend: { show: !p.sparkline, live: true },
      cursor: p.sparkline ? { show: false } : { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
        y2: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      axes: p.sparkline
        ? [{ show: false }, { show: false }]
        : [
            { ...axisStyle, space: 80, values: (_u, ticks) => timeTicks(ticks) },
            { ...axisStyle, size: axisSize, values: (_u, ticks) => ticks.map((t) => (latest.current.formatY ?? String)(t)) },
            ...(p.lines.some((l) => l.scale === "y2")
              ? [{ ...axisStyle, scale: "y2", side: 1 as const, size: axisSize, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (latest.current.formatY2 ?? String)(t)) }]
              : []),
          ],
    };
    const u = new uPlot(options, p.data, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const w = Math.max(100, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height: latest.current.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const started = performance.now();
    u.setData(props.data, true);
    props.onUpdate?.(performance.now() - started);
  }, [props.data]);

  const empty = props.empty !== null && !hasData(props.data);
  const hostClass = props.sparkline ? "chart-host sparkline" : "chart-host";
  return (
    <figure className={props.sparkline ? "chart chart-spark" : "chart"} aria-label={props.label} role="img" data-testid={props.testId}>
      <div ref={host} className={hostClass} style={{ minHeight: props.height + (props.sparkline ? 0 : legendReserve) }} />
      {empty ? <figcaption className="chart-empty">{props.empty ?? "No data in this window yet."}</figcaption> : null}
    </figure>
  );
}
