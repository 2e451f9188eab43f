import { useMemo } from "react";
import type uPlot from "uplot";
import { queryString } from "../api/client";
import type { MetricResponse } from "../api/types";
import { Chart } from "../components/Chart";
import { Kpi, recordChartUpdate } from "../components/Kpi";
import { typeColor } from "../components/theme";
import { TopTable } from "../components/TopTable";
import { ErrorNote, Panel } from "../components/ui";
import { snapshotSecond, stack } from "../data/live";
import { formatCompact, formatDuration, formatExact, formatMoney, formatPercent, formatRate, viewerTimeZone } from "../format/format";
import { useLive, usePolled, type PollRequest } from "../live/hooks";
import type { KpiName, LiveStore } from "../live/liveStore";

const minute = 60_000;

/** The last hour by minute (this minute included), re-read every 10 s. */
function lastHour(metric: string, extra: [string, string][] = [], step: string | null = "1m"): PollRequest {
  return {
    key: `${metric}|${step}|${extra.map((e) => e.join(":")).join("&")}`,
    path: () => {
      const m = Math.floor(Date.now() / minute) * minute;
      return `/v1/metrics/${metric}${queryString([["from", m - 59 * minute], ["to", m + minute], ["step", step], ...extra])}`;
    },
  };
}

function spark(store: LiveStore, name: KpiName, end: number): uPlot.AlignedData {
  return store.kpis.get(name)!.columns(end) as uPlot.AlignedData;
}

function perMinute(response: MetricResponse | null): uPlot.AlignedData {
  const points = response?.series[0]?.points ?? [];
  return [points.map((p) => p[0] / 1000), points.map((p) => p[1])];
}

export function OverviewView() {
  const store = useLive();
  const s = store.latest;
  const end = s ? snapshotSecond(s) : (store.byType.latestSecond ?? Math.floor(Date.now() / 1000) * 1000 - 1000);
  const version = store.version;

  const { byTypeData, keys, raw, totals } = useMemo(() => {
    const c = store.byType.columns(end);
    const stacked = stack(c.values);
    // Drawn top band first so each lower band paints over the one above it.
    const order = stacked.map((_, i) => stacked.length - 1 - i);
    const totals = c.xs.map((_, i) => c.values.reduce((sum, col) => sum + (col[i] ?? 0), 0));
    return {
      byTypeData: [c.xs, ...order.map((i) => stacked[i]!)] as uPlot.AlignedData,
      keys: order.map((i) => c.keys[i]!),
      raw: order.map((i) => c.values[i]!),
      totals,
    };
    // version: the store mutates in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, end]);
  const sparks = useMemo(() => {
    const names: KpiName[] = ["events_last_minute", "active_users_5m", "orders_last_minute", "revenue_last_hour", "ingest_per_second", "lag_events", "freshness_p99_ms", "watermark_delay_ms"];
    const out = new Map<KpiName, uPlot.AlignedData>();
    for (const n of names) out.set(n, spark(store, n, end));
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, end]);
  const perSecondSpark = useMemo(() => [byTypeData[0], totals] as uPlot.AlignedData, [byTypeData, totals]);

  const revenue = usePolled<MetricResponse>(lastHour("revenue"), 10_000);
  const orders = usePolled<MetricResponse>(lastHour("orders"), 10_000);
  const users = usePolled<MetricResponse>(lastHour("unique_users", [], null), 15_000);
  const buyers = usePolled<MetricResponse>(lastHour("unique_users", [["filter", "type:purchase"]], null), 15_000);
  const late = usePolled<MetricResponse>(lastHour("late_events", [["group_by", "type"]], null), 10_000);
  const revenueData = useMemo(() => perMinute(revenue.data), [revenue.data]);
  const ordersData = useMemo(() => perMinute(orders.data), [orders.data]);
  const currency = revenue.data?.currency ?? s?.currency ?? null;

  const usersTotal = users.data?.series[0]?.total;
  const buyersTotal = buyers.data?.series[0]?.total;
  const conversion = usersTotal && buyersTotal !== undefined ? buyersTotal / usersTotal : null;
  const lateTotal = late.data ? late.data.series.reduce((sum, x) => sum + x.total, 0) : null;
  const lateTop = late.data
    ? late.data.series
        .filter((x) => x.total > 0)
        .map((x) => ({ key: x.group.type ?? "(none)", value: x.total }))
        .sort((a, b) => b.value - a.value)
    : undefined;
  const pipe = s?.pipeline;

  return (
    <div className="view overview">
      <div className="view-head">
        <h1>Overview</h1>
        <p className="muted">Live, updated every second · times in {viewerTimeZone()}</p>
      </div>
      {store.seedError ? <ErrorNote error={store.seedError} what="Loading the last 5 minutes" /> : null}
      <div className="kpis">
        <Kpi testId="kpi-eps" label="Events per second" value={s ? formatRate(s.events_per_second) : "–"} spark={perSecondSpark} />
        <Kpi testId="kpi-minute" label="Events, last minute" value={s ? formatExact(s.events_last_minute, undefined, 0) : "–"} spark={sparks.get("events_last_minute")} />
        <Kpi testId="kpi-users" label="Active users, 5 min" value={s ? formatExact(s.active_users_5m, undefined, 0) : "–"} hint="distinct, ≤2% error" spark={sparks.get("active_users_5m")} color="#59a14f" />
        <Kpi testId="kpi-orders" label="Orders, last minute" value={s ? formatExact(s.by_type.purchase ?? 0, undefined, 0) : "–"} spark={sparks.get("orders_last_minute")} color="#edc948" />
        <Kpi testId="kpi-revenue" label="Revenue, last hour" value={s ? formatMoney(s.revenue_last_hour, currency) : "–"} spark={sparks.get("revenue_last_hour")} color="#f28e2b" />
        <Kpi
          testId="kpi-conversion"
          label="Conversion, last hour"
          value={formatPercent(conversion)}
          hint={usersTotal !== undefined ? `${formatCompact(buyersTotal ?? 0)} buyers of ${formatCompact(usersTotal)} users` : "users who purchased ÷ users"}
        />
        <Kpi testId="kpi-late" label="Late events, last hour" value={lateTotal === null ? "–" : formatExact(lateTotal, undefined, 0)} hint="after their window closed" />
      </div>

      <Panel id="by-type" title="Events per second by type · last 5 minutes">
        <Chart
          testId="chart-by-type"
          label="Events per second by type, stacked, last 5 minutes"
          height={230}
          lines={keys.map((k) => ({ label: k, color: typeColor(k, 0), fill: true }))}
          data={byTypeData}
          formatY={formatCompact}
          legendValues={(line, point) => raw[line]?.[point] ?? null}
          empty={store.seedError ? "Could not load the last 5 minutes." : "No events in the last 5 minutes. Send some with ./pulse generate."}
          onUpdate={recordChartUpdate}
        />
      </Panel>

      <div className="grid-2">
        <Panel id="revenue" title="Revenue per minute · last hour">
          <ErrorNote error={revenue.error} />
          <Chart testId="chart-revenue" label="Revenue per minute, last hour" height={150} lines={[{ label: "revenue", color: "#f28e2b", bars: true, fill: true }]} data={revenueData} formatY={(v) => formatMoney(v, currency)} empty={revenue.loading && !revenue.data ? "Loading…" : "No purchases in the last hour."} onUpdate={recordChartUpdate} />
        </Panel>
        <Panel id="orders" title="Orders per minute · last hour">
          <ErrorNote error={orders.error} />
          <Chart testId="chart-orders" label="Orders per minute, last hour" height={150} lines={[{ label: "orders", color: "#edc948", bars: true, fill: true }]} data={ordersData} formatY={formatCompact} empty={orders.loading && !orders.data ? "Loading…" : "No orders in the last hour."} onUpdate={recordChartUpdate} />
        </Panel>
      </div>

      <div className="grid-3">
        <Panel id="top-pages" title="Top pages · page views, 5 min">
          <TopTable testId="top-pages" entries={s?.top_pages} keyLabel="Page" valueLabel="Views" empty={s ? "No page views in the last 5 minutes." : "Waiting for the live feed…"} />
        </Panel>
        <Panel id="top-products" title="Top products · events, 5 min">
          <TopTable testId="top-products" entries={s?.top_products} keyLabel="Product" valueLabel="Events" empty={s ? "No product events in the last 5 minutes." : "Waiting for the live feed…"} />
        </Panel>
        <Panel id="late" title="Late events by type · last hour">
          <ErrorNote error={late.error} />
          <TopTable testId="late-events" entries={lateTop} keyLabel="Type" valueLabel="Late" empty={late.data ? "No late events in the last hour." : "Loading…"} />
        </Panel>
      </div>

      <Panel id="pipeline-strip" title="Pipeline">
        <div className="kpis kpis-4">
          <Kpi testId="kpi-ingest" label="Ingested per second" value={pipe ? formatRate(pipe.ingest_per_second) : "–"} spark={sparks.get("ingest_per_second")} color="#76b7b2" />
          <Kpi testId="kpi-lag" label="Processing lag" value={pipe ? `${formatCompact(pipe.lag_events)} events` : "–"} spark={sparks.get("lag_events")} color="#e15759" />
          <Kpi testId="kpi-freshness" label="Freshness p99" value={pipe ? formatDuration(pipe.freshness_p99_ms) : "–"} spark={sparks.get("freshness_p99_ms")} color="#b07aa1" />
          <Kpi testId="kpi-watermark" label="Watermark delay" value={pipe ? formatDuration(pipe.watermark_delay_ms) : "–"} spark={sparks.get("watermark_delay_ms")} color="#9c755f" />
        </div>
      </Panel>
    </div>
  );
}
