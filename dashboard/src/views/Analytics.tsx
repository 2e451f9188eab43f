import { useState } from "react";
import { ApiError, queryString } from "../api/client";
import type { AnomalyList, FunnelResponse, PatternMatches } from "../api/types";
import { ErrorNote, Loading, Panel } from "../components/ui";
import { formatCompact, formatExact, formatPercent, formatTime } from "../format/format";
import { usePolled, type PollRequest } from "../live/hooks";

const windows = [
  { id: "1h", label: "Last hour", ms: 3_600_000 },
  { id: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
];

function useWindow() {
  const [id, setId] = useState("24h");
  const ms = windows.find((w) => w.id === id)!.ms;
  const picker = (
    <label className="inline">
      Range{" "}
      <select value={id} onChange={(e) => setId(e.target.value)}>
        {windows.map((w) => (
          <option key={w.id} value={w.id}>
            {w.label}
          </option>
        ))}
      </select>
    </label>
  );
  return { id, ms, picker };
}

function ranged(base: string, id: string, ms: number, extra: [string, string | number][] = []): PollRequest {
  return {
    key: `${base}|${id}|${extra.join("&")}`,
    path: () => {
      const to = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
      return `${base}${queryString([["from", to - ms], ["to", to], ...extra])}`;
    },
  };
}

/** 404: this server does not serve the endpoint (an older Pulse, or analytics turned off). */
function NotAvailable({ what, endpoint }: { what: string; endpoint: string }) {
  return (
    <div className="note" data-testid="not-available">
      <h2>{what} are not available on this server</h2>
      <p>
        This server answers <code>404</code> for <code>{endpoint}</code>: it runs with <code>Pulse:Analytics:Enabled=false</code>, or is a Pulse version without
        analytics. This page shows them as soon as the server serves the endpoint — nothing to configure here.
      </p>
    </div>
  );
}

function isNotAvailable(error: unknown): boolean {
  return error instanceof ApiError && error.notAvailable;
}

export function FunnelsView() {
  const w = useWindow();
  const funnel = usePolled<FunnelResponse>(ranged("/v1/funnels/checkout", w.id, w.ms), 30_000);
  const first = funnel.data?.steps[0]?.users ?? 0;
  return (
    <div className="view">
      <div className="view-head">
        <h1>Funnels</h1>
        {w.picker}
      </div>
      {isNotAvailable(funnel.error) ? (
        <NotAvailable what="Funnels" endpoint="/v1/funnels/checkout" />
      ) : (
        <Panel id="funnel" title="Checkout funnel · product view → cart → checkout → purchase, within a session">
          <ErrorNote error={funnel.error} />
          {funnel.data ? (
            funnel.data.steps.length === 0 ? (
              <p className="empty">No sessions in this range.</p>
            ) : (
              <ol className="funnel">
                {funnel.data.steps.map((step, i) => (
                  <li key={step.name}>
                    <div className="funnel-name">
                      {i + 1}. {step.name.replaceAll("_", " ")}
                    </div>
                    <div className="funnel-bar-track">
                      <span className="funnel-bar" style={{ width: `${first > 0 ? (step.users / first) * 100 : 0}%` }} aria-hidden="true" />
                    </div>
                    <div className="num">{formatExact(step.users, undefined, 0)} users</div>
                    <div className="num muted" title={`${formatPercent(step.conversion)} of the step before`}>
                      {formatPercent(step.overall ?? step.conversion)} of step 1
                    </div>
                  </li>
                ))}
              </ol>
            )
          ) : funnel.loading ? (
            <Loading />
          ) : null}
        </Panel>
      )}
    </div>
  );
}

const patterns = [
  { id: "cart_abandonment", label: "Cart abandonment", says: "add to cart with no purchase in the session within 30 min" },
  { id: "purchase_burst", label: "Purchase burst", says: "≥5 purchases by one user within 60 s" },
];

export function PatternsView() {
  const w = useWindow();
  const [pattern, setPattern] = useState(patterns[0]!.id);
  const info = patterns.find((p) => p.id === pattern)!;
  const matches = usePolled<PatternMatches>(ranged(`/v1/patterns/${pattern}/matches`, w.id, w.ms, [["limit", 100]]), 30_000);
  return (
    <div className="view">
      <div className="view-head">
        <h1>Patterns</h1>
        <div className="controls-inline">
          <label className="inline">
            Pattern{" "}
            <select value={pattern} onChange={(e) => setPattern(e.target.value)}>
              {patterns.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          {w.picker}
        </div>
      </div>
      {isNotAvailable(matches.error) ? (
        <NotAvailable what="Patterns" endpoint={`/v1/patterns/${pattern}/matches`} />
      ) : (
        <Panel id="matches" title={`${info.label} · ${info.says}`}>
          <ErrorNote error={matches.error} />
          {matches.data ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col">Session</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {matches.data.matches.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="empty">
                      No matches in this range.
                    </td>
                  </tr>
                ) : (
                  matches.data.matches.map((m, i) => (
                    <tr key={`${m.ts}-${m.session_id}-${i}`}>
                      <td>{formatTime(m.ts)}</td>
                      <td>{m.user_id}</td>
                      <td>{m.session_id}</td>
                      <td className="muted">{Object.entries(m.details ?? {}).map(([k, v]) => `${k}: ${String(v)}`).join(", ")}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          ) : matches.loading ? (
            <Loading />
          ) : null}
        </Panel>
      )}
    </div>
  );
}

export function AnomaliesView() {
  const w = useWindow();
  const list = usePolled<AnomalyList>(ranged("/v1/anomalies", w.id, w.ms), 15_000);
  return (
    <div className="view">
      <div className="view-head">
        <h1>Anomalies</h1>
        {w.picker}
      </div>
      {isNotAvailable(list.error) ? (
        <NotAvailable what="Anomalies" endpoint="/v1/anomalies" />
      ) : (
        <Panel id="anomalies" title="Anomalies · value against what was expected">
          <ErrorNote error={list.error} />
          {list.data ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Metric</th>
                  <th scope="col">Group</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Expected
                  </th>
                  <th scope="col" className="num">
                    Score
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.anomalies.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="empty">
                      No anomalies in this range.
                    </td>
                  </tr>
                ) : (
                  list.data.anomalies.map((a, i) => (
                    <tr key={`${a.ts}-${a.metric}-${i}`}>
                      <td>{formatTime(a.ts)}</td>
                      <td>
                        <span className="pill" data-status={a.severity === "critical" ? "Unhealthy" : "Degraded"}>
                          {a.severity}
                        </span>
                      </td>
                      <td>{a.metric}</td>
                      <td>{Object.entries(a.group).map(([k, v]) => `${k}=${v ?? "(none)"}`).join(", ") || "all"}</td>
                      <td className="num">{formatCompact(a.value)}</td>
                      <td className="num">{formatCompact(a.expected)}</td>
                      <td className="num">{formatExact(a.score, undefined, 1)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          ) : list.loading ? (
            <Loading />
          ) : null}
        </Panel>
      )}
    </div>
  );
}
