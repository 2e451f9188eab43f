// The browser tracker (GET /pulse.js) in Debian's headless Chromium: a shop page on another origin
// includes it, navigates like a single-page app and calls pulse.track; the query API must then show
// the events with the right types and pages.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type Browser } from "./support/browser";
import { freePort, PulseServer } from "./support/pulseServer";

interface MetricResponse {
  series: { group: Record<string, string | null>; total: number }[];
}

let pulse: PulseServer;
let shop: Server;
let shopUrl: string;
let browser: Browser;
let dataDir: string;

/** The shop's page: the tracker from Pulse's origin, options from the query string as data-* attributes. */
function shopPage(query: URLSearchParams): string {
  const attributes = [...query.entries()].map(([k, v]) => ` data-${k}="${v}"`).join("");
  return `<!doctype html><html><head><title>Shop</title><script src="${pulse.baseUrl}/pulse.js"${attributes}></script></head><body>shop</body></html>`;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  while (Date.now() - started < timeoutMs) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
}

/** A metric's totals around now, by group (the group's values joined by a space); this file has the server to itself. */
async function totals(metric: string, groupBy: string, filter?: string): Promise<Record<string, number>> {
  const from = Date.now() - 3_600_000;
  const to = Date.now() + 3_600_000;
  const r = await pulse.getJson<MetricResponse>(`/v1/metrics/${metric}?from=${from}&to=${to}&group_by=${groupBy}${filter ? `&filter=${encodeURIComponent(filter)}` : ""}`);
  const out: Record<string, number> = {};
  for (const s of r.series) out[groupBy.split(",").map((d) => s.group[d] ?? "").join(" ")] = s.total;
  return out;
}

function eventPosts(page: Page): Request[] {
  const posts: Request[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url() === `${pulse.baseUrl}/v1/events`) posts.push(r);
  });
  return posts;
}

beforeAll(async () => {
  const shopPort = await freePort();
  shopUrl = `http://127.0.0.1:${shopPort}`;
  dataDir = mkdtempSync(join(tmpdir(), "pulse-tracker-"));
  // The shop is another origin: its pages may send events only because CORS allows it.
  pulse = new PulseServer(await freePort(), dataDir, [`--Pulse:Cors:AllowedOrigins:0=${shopUrl}`]);
  await pulse.start();
  shop = createServer((req, res) => {
    const url = new URL(req.url ?? "/", shopUrl);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(shopPage(url.searchParams));
  });
  await new Promise<void>((r) => shop.listen(shopPort, "127.0.0.1", () => r()));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (shop ? shop.close(() => r()) : r()));
  await pulse?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("browser tracker in Chromium", () => {
  it("counts page views across SPA navigation, tracked events and the flush on leaving, with no cookies", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    const posts = eventPosts(page);
    // A long interval: only the batch size, explicit flushes and leaving the page send.
    await page.goto(`${shopUrl}/shop?flush-interval=600000&batch-size=3`);
    await page.evaluate(() => {
      history.pushState({}, "", "/product/p-1");
      history.replaceState({ again: true }, "", "/product/p-1");
      (window as unknown as { pulse: { track: (t: string, p: object) => void } }).pulse.track("add_to_cart", { product_id: "p-1", price: 9.5, quantity: 2, color: "red" });
    });
    // Three events (two page views and the add_to_cart) fill one batch: one request.
    await until("first batch", async () => posts.length, (n) => n === 1);
    expect(JSON.parse(posts[0]!.postData() ?? "[]").map((e: { type: string; page: string }) => `${e.type} ${e.page}`)).toEqual([
      "page_view /shop",
      "page_view /product/p-1",
      "add_to_cart /product/p-1",
    ]);
    await page.evaluate(() => {
      const w = window as unknown as { pulse: { identify: (id: string) => void; track: (t: string, p: object) => void } };
      w.pulse.identify("user-42");
      w.pulse.track("signup_completed", { plan: "pro" });
    });
    await page.goBack({ waitUntil: "commit" });
    await until("popstate", () => page.evaluate(() => location.pathname), (p) => p === "/shop");
    // Two events wait in the queue; leaving the page (pagehide) must still deliver them.
    expect(posts.length).toBe(1);
    await page.goto("about:blank");

    const byTypeAndPage = await until("events by type and page", () => totals("events", "type,page"), (t) => Object.values(t).reduce((a, b) => a + b, 0) === 5);
    expect(byTypeAndPage).toEqual({
      "page_view /shop": 2,
      "page_view /product/p-1": 1,
      "add_to_cart /product/p-1": 1,
      "signup_completed /product/p-1": 1,
    });
    expect(await totals("events", "product_id", "type:add_to_cart")).toEqual({ "p-1": 1 });
    expect(await totals("events", "device")).toEqual({ desktop: 5 });
    // The anonymous visitor and, after identify, user-42.
    expect(await totals("unique_users", "type")).toMatchObject({ page_view: 2, add_to_cart: 1, signup_completed: 1 });
    expect(await browser.context.cookies()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("keeps the anonymous id in localStorage across page loads", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${shopUrl}/a`);
    const first = await page.evaluate(() => localStorage.getItem("pulse_aid"));
    await page.goto(`${shopUrl}/b`);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => localStorage.getItem("pulse_aid"))).toBe(first);
    await page.close();
  });

  it("sends nothing when Do-Not-Track is on and the page asks to respect it", async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "doNotTrack", { get: () => "1" }));
    const posts = eventPosts(page);
    await page.goto(`${shopUrl}/private?respect-dnt=true&batch-size=1`);
    await page.evaluate(() => (window as unknown as { pulse: { track: (t: string) => void } }).pulse.track("clicked"));
    await page.goto(`${shopUrl}/public?batch-size=1`);
    await until("the page that does not ask", async () => posts.length, (n) => n >= 1);
    expect(posts.every((r) => !r.postData()?.includes("/private"))).toBe(true);
    await page.close();
  });

  it("retries a batch the server could not take, with the same event ids", async () => {
    const page = await browser.context.newPage();
    const bodies: string[] = [];
    await page.route(`${pulse.baseUrl}/v1/events`, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      bodies.push(route.request().postData() ?? "");
      if (bodies.length === 1) {
        return route.fulfill({ status: 503, headers: { "Access-Control-Allow-Origin": shopUrl, "Retry-After": "1" }, body: "" });
      }
      return route.continue();
    });
    await page.goto(`${shopUrl}/retry?batch-size=1`);
    await until("retried page view", () => totals("events", "type,page"), (t) => t["page_view /retry"] === 1);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    const ids = bodies.slice(0, 2).map((b) => (JSON.parse(b) as { event_id: string }[]).map((e) => e.event_id));
    expect(ids[1]).toEqual(ids[0]);
    await page.close();
  });
});
