import type uPlot from "uplot";
import { Chart } from "./Chart";

export interface KpiProps {
  label: string;
  value: string;
  hint?: string;
  spark?: uPlot.AlignedData;
  color?: string;
  testId?: string;
  sparkLabel?: string;
}

/** A headline number with what it counts, and its last 5 minutes as a sparkline. */
export function Kpi({ label, value, hint, spark, color = "#4e79a7", testId, sparkLabel }: KpiProps) {
  return (
    <div className="kpi" data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId ? `${testId}-value` : undefined}>
        {value}
      </div>
      {hint ? <div className="kpi-hint">{hint}</div> : <div className="kpi-hint" aria-hidden="true">&nbsp;</div>}
      {spark ? (
        <Chart label={sparkLabel ?? `${label}, last 5 minutes`} height={34} sparkline lines={[{ label, color }]} data={spark} empty={null} onUpdate={recordChartUpdate} />
      ) : (
        <div className="kpi-spacer" aria-hidden="true" />
      )}
    </div>
  );
}

/** Chart update time, read by the browser test's performance budget (window.__pulseChartMs). */
export function recordChartUpdate(ms: number): void {
  const w = window as unknown as { __pulseChartMs?: number; __pulseChartUpdates?: number };
  w.__pulseChartMs = (w.__pulseChartMs ?? 0) + ms;
  w.__pulseChartUpdates = (w.__pulseChartUpdates ?? 0) + 1;
}
