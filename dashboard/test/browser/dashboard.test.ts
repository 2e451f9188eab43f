// The dashboard in Debian's headless Chromium against a real `pulse serve` with generated traffic.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type Browser } from "./support/browser";
import { screenshotDir, webRoot } from "./support/paths";
import { freePort, generate, PulseServer, type GenerateSummary } from "./support/pulseServer";

interface Realtime {
  events_last_minute: number;
  active_users_5m: number;
  top_pages: { key: string; value: number }[];
}

interface MetricResponse {
  series: { group: Record<string, string | null>; total: number }[];
}

let server: PulseServer;
let browser: Browser;
let page: Page;
let dataDir: string;
let burst: GenerateSummary;
let traffic: { done: Promise<GenerateSummary>; stop: () => void } | null = null;
const pageProblems: string[] = [];

const digits = (text: string | null) => Number((text ?? "").replace(/[^\d]/g, ""));

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  while (Date.now() - started < timeoutMs) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
}

function watchProblems(p: Page): void {
  p.on("pageerror", (e) => pageProblems.push(`pageerror: ${e.message}`));
  p.on("console", (m) => {
    if (m.type() === "error") pageProblems.push(`console: ${m.text()} (${m.location().url})`);
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "pulse-dash-"));
  server = new PulseServer(await freePort(), dataDir);
  await server.start();
  browser = await launch();
  page = await browser.context.newPage();
  watchProblems(page);
  // CSP violations would mean the dashboard breaks under the policy the server sends.
  await browser.context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  traffic?.stop();
  await traffic?.done.catch(() => undefined);
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("dashboard in Chromium", () => {
  it("initial load is within 300 KB of gzipped JavaScript", () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g)].map((m) => m[1]!);
    const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const bytes = [...scripts, ...preloads].reduce((sum, file) => sum + gzipSync(readFileSync(join(webRoot, file)), { level: 9 }).length, 0);
    const all = readdirSync(join(webRoot, "assets")).filter((f) => f.endsWith(".js"));
    console.log(`dashboard: initial JS ${(bytes / 1024).toFixed(1)} KB gzipped (${all.length} JS files built)`);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    // No inline script: the CSP allows only 'self'.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("serves the dashboard with its CSP, client routes, and 404 problems for unknown API paths", async () => {
    const root = await fetch(`${server.baseUrl}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get("content-security-policy")).toBe("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
    const route = await fetch(`${server.baseUrl}/explore?metric=events`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
    const api = await fetch(`${server.baseUrl}/v1/no-such-endpoint`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/problem+json");
  });

  it("the live feed selects pulse.v1 when offered and still serves clients that offer nothing", async () => {
    await page.goto(`${server.baseUrl}/`);
    const result = await page.evaluate(async (url) => {
      const open = (protocols?: string[]) =>
        new Promise<{ protocol: string; type: string }>((resolve, reject) => {
          const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
          ws.onmessage = (e) => {
            resolve({ protocol: ws.protocol, type: JSON.parse(String(e.data)).type });
            ws.close();
          };
          ws.onerror = () => reject(new Error(`socket failed (${protocols?.join(",") ?? "none"})`));
        });
      return Promise.all([open(["pulse.v1"]), open(["pulse.v1", "pulse.bearer.some-key"]), open()]);
    }, `${server.baseUrl.replace("http", "ws")}/v1/live?interval_ms=100`);
    expect(result).toEqual([
      { protocol: "pulse.v1", type: "snapshot" },
      { protocol: "pulse.v1", type: "snapshot" },
      { protocol: "", type: "snapshot" },
    ]);
  });

  it("overview shows the numbers the API gives", async () => {
    burst = await generate(server.baseUrl, ["--count", "2000", "--seed", "1", "--late-share", "0", "--disorder-ms", "0"]).done;
    expect(burst.accepted).toBe(2000);
    await page.goto(`${server.baseUrl}/`);
    await until("live state", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live");
    const shown = await until("events, last minute", async () => digits(await page.getByTestId("kpi-minute-value").textContent()), (n) => n === 2000);
    const api = await server.getJson<Realtime>("/v1/realtime");
    expect(api.events_last_minute).toBe(shown);
    const users = await until(
      "active users",
      async () => ({ dom: digits(await page.getByTestId("kpi-users-value").textContent()), api: (await server.getJson<Realtime>("/v1/realtime")).active_users_5m }),
      (v) => v.dom === v.api && v.api > 0,
    );
    expect(users.dom).toBeGreaterThan(0);
    const firstPage = page.getByTestId("top-pages").locator("tbody tr").first();
    const top = (await server.getJson<Realtime>("/v1/realtime")).top_pages[0]!;
    await until("top page", async () => [await firstPage.locator("td").first().textContent(), digits(await firstPage.locator("td").nth(1).textContent())], (v) => v[0] === top.key && v[1] === top.value);
    // The stacked chart's seed and the WS together hold every event of the burst.
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  });

  it("Explore's total over a range equals the API's and the generator's ground truth", async () => {
    const from = Math.floor(burst.truth.min_event_time / 1000) * 1000;
    const to = Math.floor(burst.truth.max_event_time / 1000) * 1000 + 1000;
    await page.goto(`${server.baseUrl}/explore?metric=events&from=${from}&to=${to}&step=1s&group_by=type&limit=all`);
    const total = await until("explore total", async () => await page.getByTestId("explore-total").getAttribute("data-value"), (v) => v !== null && v !== "");
    const api = await server.getJson<MetricResponse>(`/v1/metrics/events?from=${from}&to=${to}&step=1s&group_by=type`);
    const apiTotal = api.series.reduce((s, x) => s + x.total, 0);
    expect(Number(total)).toBe(apiTotal);
    expect(apiTotal).toBe(burst.truth.events);
    // The table has one row per type, each with the API's total.
    const rows = await page.getByTestId("explore-table").locator("tbody tr").count();
    expect(rows).toBe(api.series.length);
    expect(await page.locator('[data-testid="explore-chart"] canvas').count()).toBe(1);
  });

  it("Explore's state round-trips through the URL", async () => {
    await page.goto(`${server.baseUrl}/explore?metric=orders&range=24h&step=5m&group_by=country,device&filter=country:DE&limit=20`);
    const controls = page.getByTestId("explore-controls");
    await until("metric list", () => controls.locator('select[name="metric"] option').count(), (n) => n > 1);
    expect(await controls.locator('select[name="metric"]').inputValue()).toBe("orders");
    expect(await controls.locator('select[name="range"]').inputValue()).toBe("24h");
    expect(await controls.locator('select[name="step"]').inputValue()).toBe("5m");
    expect(await controls.locator('select[name="limit"]').inputValue()).toBe("20");
    expect(await controls.locator('input[name="group_by"][value="country"]').isChecked()).toBe(true);
    expect(await controls.locator('input[name="group_by"][value="device"]').isChecked()).toBe(true);
    expect(await controls.locator('input[name="group_by"][value="product_id"]').isChecked()).toBe(false);
    expect(await page.getByTestId("filter-chip").allTextContents()).toEqual(["country = DE×"]);

    await controls.locator('select[name="step"]').selectOption("1h");
    await until("step in URL", async () => new URL(page.url()).searchParams.get("step"), (v) => v === "1h");
    await controls.locator('input[name="group_by"][value="device"]').uncheck();
    await until("group_by in URL", async () => new URL(page.url()).searchParams.get("group_by"), (v) => v === "country");
    await controls.locator('select[name="filter_dimension"]').selectOption("device");
    await controls.locator('input[name="filter_value"]').fill("mobile");
    await controls.getByRole("button", { name: "Add filter" }).click();
    await until("filters in URL", async () => new URL(page.url()).searchParams.getAll("filter"), (v) => v.join("|") === "country:DE|device:mobile");
    await controls.getByRole("button", { name: "Remove filter country = DE" }).click();
    await until("filter removed", async () => new URL(page.url()).searchParams.getAll("filter"), (v) => v.join("|") === "device:mobile");

    // What the URL says now, a reload shows again.
    const url = page.url();
    await page.reload();
    await until("metric list", () => controls.locator('select[name="metric"] option').count(), (n) => n > 1);
    expect(page.url()).toBe(url);
    expect(await controls.locator('select[name="step"]').inputValue()).toBe("1h");
    expect(await controls.locator('input[name="group_by"][value="country"]').isChecked()).toBe(true);
    expect(await controls.locator('input[name="group_by"][value="device"]').isChecked()).toBe(false);
    expect(await page.getByTestId("filter-chip").allTextContents()).toEqual(["device = mobile×"]);
    // Back goes to the previous state and the controls follow.
    await page.goBack();
    await until("back", async () => new URL(page.url()).searchParams.getAll("filter").join("|"), (v) => v === "country:DE|device:mobile");
    expect(await page.getByTestId("filter-chip").count()).toBe(2);
  });

  it("a server error is explained with the problem's detail", async () => {
    // group_by=page at 1 s resolution is refused by the server with a 400 that says what to do.
    await page.goto(`${server.baseUrl}/explore?metric=events&range=15m&step=1s&group_by=page`);
    const alert = page.getByRole("alert").filter({ hasText: "Query" });
    await until("error shown", () => alert.count(), (n) => n === 1);
    const text = await alert.textContent();
    expect(text).toContain("(400)");
    expect(text).toMatch(/1 ?m/);
  });

  it("analytics views show the server's funnel, pattern matches and anomalies", async () => {
    await page.goto(`${server.baseUrl}/funnels`);
    await until("funnel steps", () => page.getByTestId("funnel").locator("ol.funnel li").count(), (n) => n === 4);
    expect(await page.getByTestId("funnel").textContent()).toContain("add to cart");
    for (const [view, panel] of [["patterns", "matches"], ["anomalies", "anomalies"]] as const) {
      await page.goto(`${server.baseUrl}/${view}`);
      await until(`${view} table`, () => page.getByTestId(panel).locator("table").count(), (n) => n === 1);
      expect(await page.getByTestId("not-available").count()).toBe(0);
    }
  });

  it("asks for a read key on 401, keeps it in sessionStorage and sends it only as a header and subprotocol", async () => {
    // Stands in for the API keys of issue 6, which are not in this server yet: the same 401
    // problem+json for any /v1 call without the key.
    const key = "test-read-key-1";
    const keyPage = await browser.context.newPage();
    watchProblems(keyPage);
    const seen: { url: string; auth: string | undefined }[] = [];
    await keyPage.route("**/v1/**", async (route) => {
      const auth = route.request().headers().authorization;
      seen.push({ url: route.request().url(), auth });
      if (auth === `Bearer ${key}`) await route.continue();
      else await route.fulfill({ status: 401, contentType: "application/problem+json", body: JSON.stringify({ title: "Unauthorized", status: 401, detail: "A read key is required." }) });
    });
    const cdp: CDPSession = await browser.context.newCDPSession(keyPage);
    await cdp.send("Network.enable");
    const handshakes: string[] = [];
    cdp.on("Network.webSocketWillSendHandshakeRequest", (e: { request: { headers: Record<string, string> } }) => {
      const header = Object.entries(e.request.headers).find(([name]) => name.toLowerCase() === "sec-websocket-protocol");
      handshakes.push(header?.[1] ?? "");
    });
    await keyPage.goto(`${server.baseUrl}/explore?metric=events&range=15m&step=none`);
    const form = keyPage.getByTestId("key-form");
    await until("key form", () => form.count(), (n) => n === 1);
    await form.getByLabel("Read key").fill(key);
    await form.getByRole("button", { name: "Use key" }).click();
    await until("key form gone", () => form.count(), (n) => n === 0);
    await until("explore total", async () => await keyPage.getByTestId("explore-total").getAttribute("data-value"), (v) => v !== null && v !== "");
    expect(await keyPage.evaluate(() => sessionStorage.getItem("pulse.readKey"))).toBe(key);
    await until("live with key", () => keyPage.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live");
    expect(seen.some((r) => r.auth === `Bearer ${key}`)).toBe(true);
    expect(seen.every((r) => !r.url.includes(key))).toBe(true);
    expect(keyPage.url()).not.toContain(key);
    expect(handshakes).toContain(`pulse.v1, pulse.bearer.${key}`);
    await keyPage.close();
  });

  it("charts update in place every second without moving the layout", async () => {
    traffic = generate(server.baseUrl, ["--rate", "300", "--duration", "600s", "--seed", "2", "--disorder-ms", "500", "--batch", "50"]);
    await page.goto(`${server.baseUrl}/`);
    await until("live", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live");
    await until("traffic arriving", async () => digits(await page.getByTestId("kpi-eps-value").textContent()), (n) => n > 0);
    const canvases = await page.locator("canvas").count();
    expect(canvases).toBeGreaterThanOrEqual(10);
    const layout = () => page.evaluate(() => [...document.querySelectorAll("figure.chart, .panel, .kpi")].map((e) => JSON.stringify(e.getBoundingClientRect())));
    const stacked = () => page.locator('[data-testid="chart-by-type"] canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const updates = () => page.evaluate(() => (window as unknown as { __pulseChartUpdates?: number }).__pulseChartUpdates ?? 0);
    const before = { layout: await layout(), pixels: await stacked(), updates: await updates() };
    await page.waitForTimeout(3500);
    const after = { layout: await layout(), pixels: await stacked(), updates: await updates() };
    expect(after.layout).toEqual(before.layout);
    expect(after.pixels).not.toBe(before.pixels);
    // Every live chart (by-type + 9 sparklines) takes new data about once a second.
    expect(after.updates - before.updates).toBeGreaterThanOrEqual(20);
  });

  it("keeps the main thread under 20% busy with 10+ charts updating every second", async () => {
    await page.goto(`${server.baseUrl}/`);
    await until("live", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live");
    await page.waitForTimeout(3000);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const read = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value])) as Record<string, number>;
    await page.evaluate(() => {
      const w = window as unknown as { __longtaskMs: number; __longtasks: number };
      w.__longtaskMs = 0;
      w.__longtasks = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          w.__longtaskMs += e.duration;
          w.__longtasks++;
        }
      }).observe({ type: "longtask" });
    });
    const chartMs = () => page.evaluate(() => (window as unknown as { __pulseChartMs?: number }).__pulseChartMs ?? 0);
    const m0 = await read();
    const c0 = await chartMs();
    const windowMs = 10_000;
    await page.waitForTimeout(windowMs);
    const m1 = await read();
    const c1 = await chartMs();
    const long = await page.evaluate(() => {
      const w = window as unknown as { __longtaskMs: number; __longtasks: number };
      return { ms: w.__longtaskMs, count: w.__longtasks };
    });
    const wall = (m1.Timestamp! - m0.Timestamp!) * 1000;
    const busy = ((m1.TaskDuration! - m0.TaskDuration!) * 1000) / wall;
    const charts = await page.locator("canvas").count();
    const report = {
      charts,
      window_ms: Math.round(wall),
      main_thread_busy: Number(busy.toFixed(4)),
      script_ms: Math.round((m1.ScriptDuration! - m0.ScriptDuration!) * 1000),
      layout_ms: Math.round((m1.LayoutDuration! - m0.LayoutDuration!) * 1000),
      set_data_call_ms: Math.round(c1 - c0), // uPlot draws later, in its own commit: this is the call only
      longtasks: long.count,
      longtask_ms: Math.round(long.ms),
    };
    console.log(`dashboard perf: ${JSON.stringify(report)}`);
    writeFileSync(join(screenshotDir, "perf.json"), JSON.stringify(report, null, 2));
    expect(charts).toBeGreaterThanOrEqual(10);
    expect(busy).toBeLessThan(0.2);
    expect(long.ms / wall).toBeLessThan(0.2);
  });

  it("screenshots of every view, light and dark, desktop and phone", async () => {
    const views = [
      ["overview", "Overview"],
      ["explore", "Explore"],
      ["funnels", "Funnels"],
      ["patterns", "Patterns"],
      ["anomalies", "Anomalies"],
      ["pipeline", "Pipeline"],
    ] as const;
    // In-app navigation (no reload), so the live history the page has gathered stays on screen.
    const spaGo = (path: string) =>
      page.evaluate((to) => {
        history.pushState(null, "", to);
        dispatchEvent(new PopStateEvent("popstate"));
      }, path);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${server.baseUrl}/`);
    // Let the live history build up a little so sparklines have something to show.
    await page.waitForTimeout(20_000);
    for (const [id, label] of views) {
      if (id === "explore") await spaGo("/explore?metric=events&range=15m&step=10s&group_by=type");
      else await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: label }).click();
      await page.waitForTimeout(id === "explore" ? 2500 : 1500);
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(screenshotDir, `${id}-${scheme}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [id, path] of [["overview", "/"], ["explore", "/explore?metric=revenue&range=1h&step=1m&group_by=country"], ["pipeline", "/pipeline"]] as const) {
      await spaGo(path);
      await page.waitForTimeout(2500);
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(screenshotDir, `${id}-phone-${scheme}.png`), fullPage: true });
      }
      // Nothing wider than the phone: no sideways scrolling of the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it("shows reconnecting while the server is down and live again when it is back on the same port and data", async () => {
    await page.goto(`${server.baseUrl}/`);
    await until("live", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live");
    traffic?.stop();
    await traffic?.done.catch(() => undefined);
    traffic = null;
    await server.stop();
    await until("reconnecting", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "reconnecting" || s === "offline", 10_000);
    expect(await page.getByTestId("live-state").textContent()).toMatch(/reconnecting|offline/);
    await page.waitForTimeout(3000);
    await server.start();
    await until("live again", () => page.getByTestId("live-state").getAttribute("data-state"), (s) => s === "live", 30_000);
    // The same data dir: the restarted server still knows the events, and the overview shows them.
    await until("numbers after restart", async () => digits(await page.getByTestId("kpi-users-value").textContent()), (n) => n > 0);
    // Refused connections while the server was down and the 4xx answers the tests asked for are expected.
    expect(pageProblems.filter((p) => !p.includes("WebSocket") && !p.includes("Failed to load resource"))).toEqual([]);
  });
});
