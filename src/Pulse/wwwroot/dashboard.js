const fmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const tiles = [
  ["events_per_second", "events/s"], ["events_last_minute", "events, last minute"],
  ["active_users_5m", "active users, 5 min"], ["revenue_last_hour", "revenue, last hour"],
  ["pipeline.ingest_per_second", "ingested/s"], ["pipeline.lag_events", "lag (events)"],
  ["pipeline.watermark_delay_ms", "watermark delay (ms)"], ["pipeline.freshness_p99_ms", "freshness p99 (ms)"],
];
function get(o, path) { return path.split(".").reduce((v, k) => v?.[k], o); }
function rows(el, entries) {
  el.replaceChildren(...entries.map(([k, v]) => {
    const tr = document.createElement("tr");
    for (const text of [k, fmt.format(v)]) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
    return tr;
  }));
}
function render(d) {
  document.getElementById("tiles").replaceChildren(...tiles.map(([path, label]) => {
    const div = document.createElement("div"); div.className = "tile";
    const b = document.createElement("b"); b.textContent = fmt.format(get(d, path) ?? 0);
    div.append(b, label); return div;
  }));
  rows(document.getElementById("by_type"), Object.entries(d.by_type).sort((a, b) => b[1] - a[1]));
  rows(document.getElementById("top_pages"), d.top_pages.map(e => [e.key, e.value]));
  rows(document.getElementById("top_products"), d.top_products.map(e => [e.key, e.value]));
}
let delay = 500;
function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/live?interval_ms=1000`);
  const state = document.getElementById("state");
  ws.onopen = () => { state.textContent = "live"; delay = 500; };
  ws.onmessage = m => { const msg = JSON.parse(m.data); if (msg.type === "snapshot") render(msg.data); };
  ws.onclose = () => { state.textContent = "reconnecting"; setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); };
}
connect();
