import { useMemo } from "react";
import type uPlot from "uplot";
import type { HealthReport } from "../api/types";
import { Chart } from "../components/Chart";
import { Kpi, recordChartUpdate } from "../components/Kpi";
import { ErrorNote, Loading, Panel } from "../components/ui";
import { snapshotSecond } from "../data/live";
import { formatCompact, formatDuration, formatExact, formatRate, formatTime } from "../format/format";
import { useLive, usePolled } from "../live/hooks";
import type { KpiName } from "../live/liveStore";

const dataLabels: Record<string, (v: number) => string> = {
  free_bytes: (v) => `${formatCompact(v)}B free`,
  partitions: (v) => `${v} partitions`,
  checkpoint_age_ms: (v) => `checkpoint ${formatDuration(v)} ago`,
  checkpoint_failures: (v) => `${v} checkpoint failures`,
  lag_events: (v) => `${formatCompact(v)} events behind`,
  entries: (v) => `${formatCompact(v)} ids`,
  horizon_seconds: (v) => `horizon ${formatDuration(v * 1000)}`,
  effective_horizon_seconds: (v) => `effective ${formatDuration(v * 1000)}`,
};

function checkData(check: Record<string, unknown>): string {
  return Object.entries(check)
    .filter(([k, v]) => k !== "status" && k !== "description" && typeof v === "number")
    .map(([k, v]) => (dataLabels[k] ?? ((x: number) => `${k} ${formatCompact(x)}`))(v as number))
    .join(" · ");
}

export function PipelineView() {
  const store = useLive();
  const s = store.latest;
  const p = s?.pipeline;
  const end = s ? snapshotSecond(s) : Date.now();
  const version = store.version;
  const series = useMemo(() => {
    const col = (n: KpiName) => store.kpis.get(n)!.columns(end);
    const ingest = col("ingest_per_second");
    const lag = col("lag_events");
    const wm = col("watermark_delay_ms");
    const fresh = col("freshness_p99_ms");
    const ckpt = col("checkpoint_age_ms");
    return {
      ingest: ingest as uPlot.AlignedData,
      lag: lag as uPlot.AlignedData,
      delays: [wm[0], wm[1], fresh[1]] as uPlot.AlignedData,
      checkpoint: ckpt as uPlot.AlignedData,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, end]);
  const health = usePolled<HealthReport>("/health/ready", 5_000, { acceptStatus: [503] });
  const status = health.data?.status;

  return (
    <div className="view pipeline">
      <div className="view-head">
        <h1>Pipeline</h1>
        <p className="muted">Ingest → log → processing → store, as this node sees it</p>
      </div>
      <div className="kpis">
        <Kpi testId="pipe-ingest" label="Ingested per second" value={p ? formatRate(p.ingest_per_second) : "–"} />
        <Kpi testId="pipe-lag" label="Processing lag" value={p ? `${formatExact(p.lag_events, undefined, 0)} events` : "–"} hint="log records not yet processed" />
        <Kpi testId="pipe-watermark" label="Watermark delay" value={p ? formatDuration(p.watermark_delay_ms) : "–"} hint="now − watermark" />
        <Kpi testId="pipe-freshness" label="Freshness p99" value={p ? formatDuration(p.freshness_p99_ms) : "–"} hint="ingest → queryable" />
        <Kpi testId="pipe-checkpoint" label="Checkpoint age" value={p?.checkpoint_age_ms !== undefined ? formatDuration(p.checkpoint_age_ms) : "–"} hint={p?.checkpoint_duration_ms !== undefined ? `last took ${formatDuration(p.checkpoint_duration_ms)}, ${formatCompact(p.checkpoint_rows ?? 0)} rows` : undefined} />
        <Kpi testId="pipe-lock" label="Checkpoint lock" value={p?.checkpoint_lock_ms !== undefined ? formatDuration(p.checkpoint_lock_ms) : "–"} hint="processing paused while held" />
      </div>
      <div className="grid-2">
        <Panel id="pipe-ingest-chart" title="Ingest rate · last 5 minutes">
          <Chart label="Events ingested per second, last 5 minutes" height={160} lines={[{ label: "ingested/s", color: "#76b7b2", fill: true }]} data={series.ingest} formatY={formatCompact} empty="Collecting from the live feed…" onUpdate={recordChartUpdate} />
        </Panel>
        <Panel id="pipe-lag-chart" title="Processing lag · events">
          <Chart label="Processing lag in events, last 5 minutes" height={160} lines={[{ label: "lag", color: "#e15759" }]} data={series.lag} formatY={formatCompact} empty="No lag recorded (or still collecting)." onUpdate={recordChartUpdate} />
        </Panel>
        <Panel id="pipe-delay-chart" title="Watermark delay and freshness p99">
          <Chart label="Watermark delay and freshness p99 in milliseconds, last 5 minutes" height={160} lines={[{ label: "watermark delay", color: "#9c755f" }, { label: "freshness p99", color: "#b07aa1" }]} data={series.delays} formatY={formatDuration} empty="Collecting from the live feed…" onUpdate={recordChartUpdate} />
        </Panel>
        <Panel id="pipe-checkpoint-chart" title="Checkpoint age">
          <Chart label="Checkpoint age in milliseconds, last 5 minutes" height={160} lines={[{ label: "checkpoint age", color: "#4e79a7" }]} data={series.checkpoint} formatY={formatDuration} empty="Collecting from the live feed…" onUpdate={recordChartUpdate} />
        </Panel>
      </div>
      <Panel
        id="health"
        title="Health · /health/ready"
        actions={
          status ? (
            <span className="pill" data-status={status} data-testid="health-status">
              {status}
            </span>
          ) : null
        }
      >
        <ErrorNote error={health.error} what="Readiness" />
        {health.data ? (
          <div className="table-wrap">
          <table className="health">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Says</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(health.data.checks).map(([name, c]) => (
                <tr key={name} data-testid={`health-${name}`}>
                  <th scope="row">{name}</th>
                  <td>
                    <span className="pill" data-status={c.status}>
                      {c.status}
                    </span>
                  </td>
                  <td>{c.description ?? ""}</td>
                  <td className="muted">{checkData(c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        ) : health.loading ? (
          <Loading />
        ) : null}
        {health.at ? <p className="muted small">Checked {formatTime(health.at)}</p> : null}
      </Panel>
    </div>
  );
}
