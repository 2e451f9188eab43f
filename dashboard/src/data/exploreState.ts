// The Explore view's state, kept in the URL's query string so a view can be shared and reloaded.

export const ranges = [
  { id: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { id: "1h", label: "Last hour", ms: 3_600_000 },
  { id: "6h", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { id: "24h", label: "Last 24 hours", ms: 24 * 3_600_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

export const steps = [
  { id: "1s", ms: 1_000 },
  { id: "10s", ms: 10_000 },
  { id: "1m", ms: 60_000 },
  { id: "5m", ms: 300_000 },
  { id: "1h", ms: 3_600_000 },
  { id: "1d", ms: 86_400_000 },
] as const;

export type RangeId = (typeof ranges)[number]["id"];
export type StepId = (typeof steps)[number]["id"];

export interface Filter {
  dimension: string;
  value: string;
}

export interface ExploreState {
  metric: string;
  range: RangeId;
  /** An absolute range (epoch ms) overrides `range` when both are set. */
  from: number | null;
  to: number | null;
  /** "" = one value for the whole range (no chart). "auto" = chosen from the range. */
  step: StepId | "" | "auto";
  groupBy: string[];
  filters: Filter[];
  limit: number | null;
}

export const defaultState: ExploreState = {
  metric: "events",
  range: "1h",
  from: null,
  to: null,
  step: "auto",
  groupBy: [],
  filters: [],
  limit: 10,
};

/** At most this many points per chart line: beyond that the chart shows nothing more, only slower. */
export const maxPoints = 1500;

const maxGroupBy = 3;

/** Parses a query string; anything malformed falls back to its default (a hand-edited URL never breaks the page). */
export function decodeState(search: string): ExploreState {
  const q = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const metric = q.get("metric")?.trim() || defaultState.metric;
  const rangeParam = q.get("range");
  const range = (ranges.find((r) => r.id === rangeParam)?.id ?? defaultState.range) as RangeId;
  const from = parseInstant(q.get("from"));
  const to = parseInstant(q.get("to"));
  const absolute = from !== null && to !== null && from < to;
  const stepParam = q.get("step");
  const step: ExploreState["step"] =
    stepParam === null ? defaultState.step : stepParam === "" || stepParam === "none" ? "" : stepParam === "auto" ? "auto" : (steps.find((s) => s.id === stepParam)?.id ?? defaultState.step);
  const groupBy: string[] = [];
  for (const part of q.getAll("group_by").flatMap((g) => g.split(","))) {
    const d = part.trim();
    if (d && !groupBy.includes(d) && groupBy.length < maxGroupBy) groupBy.push(d);
  }
  const filters: Filter[] = [];
  for (const f of q.getAll("filter")) {
    const colon = f.indexOf(":");
    if (colon > 0) filters.push({ dimension: f.slice(0, colon), value: f.slice(colon + 1) });
  }
  const limitParam = q.get("limit");
  let limit = defaultState.limit;
  if (limitParam !== null) {
    const n = Number(limitParam);
    limit = limitParam === "" || limitParam === "all" ? null : Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : defaultState.limit;
  }
  return { metric, range, from: absolute ? from : null, to: absolute ? to : null, step, groupBy, filters, limit };
}

/** The query string for a state: defaults left out, keys in a fixed order, so equal states give equal URLs. */
export function encodeState(state: ExploreState): string {
  const q = new URLSearchParams();
  q.set("metric", state.metric);
  if (state.from !== null && state.to !== null) {
    q.set("from", String(state.from));
    q.set("to", String(state.to));
  } else if (state.range !== defaultState.range) {
    q.set("range", state.range);
  }
  if (state.step !== defaultState.step) q.set("step", state.step === "" ? "none" : state.step);
  if (state.groupBy.length > 0) q.set("group_by", state.groupBy.slice(0, maxGroupBy).join(","));
  for (const f of state.filters) q.append("filter", `${f.dimension}:${f.value}`);
  if (state.limit !== defaultState.limit) q.set("limit", state.limit === null ? "all" : String(state.limit));
  return `?${q.toString()}`;
}

function parseInstant(value: string | null): number | null {
  if (value === null || value === "") return null;
  if (/^-?\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function rangeMs(id: RangeId): number {
  return ranges.find((r) => r.id === id)!.ms;
}

/** The absolute range a state asks for at time `now`. */
export function resolveRange(state: ExploreState, now: number): { from: number; to: number } {
  if (state.from !== null && state.to !== null) return { from: state.from, to: state.to };
  return { from: now - rangeMs(state.range), to: now };
}

/** The smallest step that keeps a chart under `maxPoints` points. */
export function autoStep(spanMs: number): StepId {
  return (steps.find((s) => spanMs / s.ms <= maxPoints) ?? steps[steps.length - 1]!).id;
}

/** Steps worth offering for a span: those giving from 2 to `maxPoints` points. */
export function stepsFor(spanMs: number): StepId[] {
  return steps.filter((s) => spanMs / s.ms <= maxPoints && spanMs / s.ms >= 2).map((s) => s.id);
}

export function stepMs(id: StepId): number {
  return steps.find((s) => s.id === id)!.ms;
}

/** The step actually sent: "auto" resolved, a step too fine for the span coarsened. */
export function effectiveStep(state: ExploreState, spanMs: number): StepId | null {
  if (state.step === "") return null;
  if (state.step === "auto") return autoStep(spanMs);
  return spanMs / stepMs(state.step) > maxPoints ? autoStep(spanMs) : state.step;
}

/** The `/v1/metrics/{name}` request for a state. */
export function metricQuery(state: ExploreState, now: number): { path: string; step: StepId | null; from: number; to: number } {
  const { from, to } = resolveRange(state, now);
  const step = effectiveStep(state, to - from);
  const q = new URLSearchParams();
  q.set("from", String(from));
  q.set("to", String(to));
  if (step) q.set("step", step);
  if (state.groupBy.length > 0) q.set("group_by", state.groupBy.join(","));
  for (const f of state.filters) q.append("filter", `${f.dimension}:${f.value}`);
  if (state.limit !== null && state.groupBy.length > 0) q.set("limit", String(state.limit));
  return { path: `/v1/metrics/${encodeURIComponent(state.metric)}?${q.toString()}`, step, from, to };
}

/** Relative ranges are snapped to the step (or the minute) so a reload within it asks the same question. */
export function snapNow(now: number, step: StepId | null): number {
  const unit = step ? Math.min(stepMs(step), 60_000) : 1000;
  return Math.floor(now / unit) * unit;
}
