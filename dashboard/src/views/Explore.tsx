import { useMemo, useState } from "react";
import type uPlot from "uplot";
import type { MetricList, MetricResponse } from "../api/types";
import { Chart } from "../components/Chart";
import { seriesColor, typeColor } from "../components/theme";
import { ErrorNote, Loading, Panel } from "../components/ui";
import {
  autoStep,
  decodeState,
  encodeState,
  metricQuery,
  rangeMs,
  ranges,
  resolveRange,
  snapNow,
  stepsFor,
  type ExploreState,
  type RangeId,
} from "../data/exploreState";
import { grandTotal, responseDimensions, toChartSeries, toTableRows } from "../data/metricShape";
import { formatExact, formatMetricValue, formatPercent, formatTime, viewerTimeZone } from "../format/format";
import { usePolled } from "../live/hooks";
import { navigate, useLocation } from "../router";

const limits = [5, 10, 20, 50, 100];

function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): number | null {
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export function ExploreView() {
  const { search } = useLocation();
  const state = useMemo(() => decodeState(search), [search]);
  const set = (patch: Partial<ExploreState>) => navigate(`/explore${encodeState({ ...state, ...patch })}`);

  const catalogue = usePolled<MetricList>("/v1/metrics", 0);
  const metric = catalogue.data?.metrics.find((m) => m.name === state.metric);
  const dimensions = metric?.dimensions ?? [];
  const absolute = state.from !== null && state.to !== null;
  const span = absolute ? state.to! - state.from! : rangeMs(state.range);
  const stepChoices = stepsFor(span);

  const request = useMemo(() => {
    const key = encodeState(state);
    return {
      key,
      path: () => metricQuery(state, absolute ? 0 : snapNow(Date.now(), null)).path,
    };
  }, [state, absolute]);
  const unknownMetric = catalogue.data !== null && !metric;
  const result = usePolled<MetricResponse>(unknownMetric ? null : request, absolute ? 0 : 30_000);
  const response = result.data;
  const step = response?.step ?? null;
  const stepMsValue = step ? ({ "1s": 1000, "10s": 10_000, "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 } as Record<string, number>)[step] ?? 0 : 0;

  const shaped = useMemo(() => {
    if (!response) return null;
    const dims = responseDimensions(response, state.groupBy);
    return { dims, rows: toTableRows(response, dims), chart: toChartSeries(response, dims, stepMsValue, 10) };
  }, [response, state.groupBy, stepMsValue]);

  const additive = metric?.kind !== "unique";
  const total = response ? (additive || state.groupBy.length === 0 ? grandTotal(response) : null) : null;
  const currency = response?.currency ?? null;
  const fmt = (v: number) => formatMetricValue(state.metric, v, currency);

  const chartData = useMemo(() => (shaped ? ([shaped.chart.xs, ...shaped.chart.ys] as uPlot.AlignedData) : ([[]] as unknown as uPlot.AlignedData)), [shaped]);

  const [filterDim, setFilterDim] = useState("");
  const [filterValue, setFilterValue] = useState("");
  const chosenFilterDim = dimensions.includes(filterDim) ? filterDim : (dimensions[0] ?? "");

  const { from, to } = resolveRange(state, Date.now());

  return (
    <div className="view explore">
      <div className="view-head">
        <h1>Explore</h1>
        <p className="muted">Any metric, any range · the address bar holds this view: copy it to share · times in {viewerTimeZone()}</p>
      </div>
      <ErrorNote error={catalogue.error} what="Loading the metric list" />
      <form className="controls" aria-label="Query" onSubmit={(e) => e.preventDefault()} data-testid="explore-controls">
        <label>
          Metric
          <select name="metric" value={state.metric} onChange={(e) => set({ metric: e.target.value, groupBy: [], filters: [] })}>
            {(catalogue.data?.metrics ?? [{ name: state.metric, kind: "", dimensions: [] }]).map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Range
          <select
            name="range"
            value={absolute ? "custom" : state.range}
            onChange={(e) => {
              const v = e.target.value;
              if (v === "custom") {
                const now = Math.floor(Date.now() / 60_000) * 60_000;
                set({ from: now - rangeMs(state.range), to: now });
              } else set({ range: v as RangeId, from: null, to: null });
            }}
          >
            {ranges.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
        </label>
        {absolute ? (
          <>
            <label>
              From
              <input name="from" type="datetime-local" value={toLocalInput(state.from!)} onChange={(e) => { const ms = fromLocalInput(e.target.value); if (ms !== null && ms < state.to!) set({ from: ms }); }} />
            </label>
            <label>
              To
              <input name="to" type="datetime-local" value={toLocalInput(state.to!)} onChange={(e) => { const ms = fromLocalInput(e.target.value); if (ms !== null && ms > state.from!) set({ to: ms }); }} />
            </label>
          </>
        ) : null}
        <label>
          Step
          <select name="step" value={state.step === "" ? "none" : state.step} onChange={(e) => set({ step: e.target.value === "none" ? "" : (e.target.value as ExploreState["step"]) })}>
            <option value="auto">Auto ({autoStep(span)})</option>
            <option value="none">None (totals only)</option>
            {stepChoices.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            {state.step !== "" && state.step !== "auto" && !stepChoices.includes(state.step) ? <option value={state.step}>{state.step}</option> : null}
          </select>
        </label>
        <label>
          Top
          <select name="limit" value={state.limit === null ? "all" : String(state.limit)} onChange={(e) => set({ limit: e.target.value === "all" ? null : Number(e.target.value) })}>
            {limits.map((n) => (
              <option key={n} value={n}>
                {n} groups
              </option>
            ))}
            {state.limit !== null && !limits.includes(state.limit) ? <option value={state.limit}>{state.limit} groups</option> : null}
            <option value="all">All groups</option>
          </select>
        </label>
        <fieldset className="groupby">
          <legend>Group by (up to 3)</legend>
          {dimensions.length === 0 ? <span className="muted">—</span> : null}
          {dimensions.map((d) => {
            const checked = state.groupBy.includes(d);
            return (
              <label key={d} className="check">
                <input
                  type="checkbox"
                  name="group_by"
                  value={d}
                  checked={checked}
                  disabled={!checked && state.groupBy.length >= 3}
                  onChange={() => set({ groupBy: checked ? state.groupBy.filter((g) => g !== d) : [...state.groupBy, d] })}
                />
                {d}
              </label>
            );
          })}
        </fieldset>
        <fieldset className="filters">
          <legend>Filters (all must hold)</legend>
          <ul className="chips" aria-label="Active filters">
            {state.filters.map((f, i) => (
              <li key={`${f.dimension}:${f.value}:${i}`} className="chip" data-testid="filter-chip">
                <span>
                  {f.dimension} = <b>{f.value || '""'}</b>
                </span>
                <button type="button" aria-label={`Remove filter ${f.dimension} = ${f.value}`} onClick={() => set({ filters: state.filters.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <div className="filter-add">
            <label>
              <span className="sr-only">Filter dimension</span>
              <select name="filter_dimension" value={chosenFilterDim} onChange={(e) => setFilterDim(e.target.value)} disabled={dimensions.length === 0}>
                {dimensions.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="sr-only">Filter value</span>
              <input
                name="filter_value"
                placeholder="value, e.g. purchase"
                value={filterValue}
                onChange={(e) => setFilterValue(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && chosenFilterDim && filterValue) {
                    e.preventDefault();
                    set({ filters: [...state.filters, { dimension: chosenFilterDim, value: filterValue }] });
                    setFilterValue("");
                  }
                }}
              />
            </label>
            <button
              type="button"
              disabled={!chosenFilterDim || !filterValue}
              onClick={() => {
                set({ filters: [...state.filters, { dimension: chosenFilterDim, value: filterValue }] });
                setFilterValue("");
              }}
            >
              Add filter
            </button>
          </div>
        </fieldset>
      </form>

      {unknownMetric ? (
        <div className="note note-error" role="alert">
          <strong>Unknown metric “{state.metric}”</strong>
          <p>This server has no such metric. Pick one from the list.</p>
        </div>
      ) : null}
      <ErrorNote error={result.error} what="Query" />

      <Panel
        id="explore-result"
        title={`${state.metric}${state.groupBy.length ? ` by ${state.groupBy.join(", ")}` : ""}`}
        actions={
          <span className="muted small" data-testid="explore-range">
            {formatTime(response?.from ?? from)} – {formatTime(response?.to ?? to)}
            {response ? ` · step ${response.step ?? "none"} · from ${response.resolution ?? "?"} rollups` : ""}
          </span>
        }
      >
        <div className="explore-total">
          <span className="muted">Total over the range</span>{" "}
          <b data-testid="explore-total" data-value={total ?? ""}>
            {total === null ? (response ? "not additive across groups" : "–") : formatExact(total, undefined, 2)}
          </b>
          {result.loading ? <span className="muted small"> · loading…</span> : null}
        </div>
        {step ? (
          <Chart
            testId="explore-chart"
            label={`${state.metric} per ${step}`}
            height={260}
            lines={(shaped?.chart.labels ?? []).map((label, i) => ({ label, color: shaped?.dims.length === 1 && shaped.dims[0] === "type" ? typeColor(label, i) : seriesColor(i) }))}
            data={chartData}
            formatY={fmt}
            empty={result.loading && !response ? "Loading…" : "No data in this range."}
          />
        ) : (
          <p className="muted">No step chosen: one total per group, no chart.</p>
        )}
        {shaped ? (
          <div className="table-wrap">
            <table data-testid="explore-table">
              <thead>
                <tr>
                  {shaped.dims.length === 0 ? <th scope="col">Group</th> : shaped.dims.map((d) => <th key={d} scope="col">{d}</th>)}
                  <th scope="col" className="num">
                    Total
                  </th>
                  {additive ? (
                    <th scope="col" className="num">
                      Share
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {shaped.rows.length === 0 ? (
                  <tr>
                    <td colSpan={shaped.dims.length + 2} className="empty">
                      Nothing matched.
                    </td>
                  </tr>
                ) : (
                  shaped.rows.map((r) => (
                    <tr key={r.key}>
                      {r.cells.length === 0 ? <td>all</td> : r.cells.map((c, i) => <td key={i}>{c}</td>)}
                      <td className="num">{formatExact(r.total, undefined, 2)}</td>
                      {additive ? <td className="num">{formatPercent(r.share)}</td> : null}
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        ) : result.loading ? (
          <Loading />
        ) : null}
      </Panel>
    </div>
  );
}
