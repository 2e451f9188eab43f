/**
 * Per-second values of several keys (event types, say) over a sliding window — the client's
 * memory of the live feed. Seconds are epoch ms floored to the second. A second can be written
 * again (a provisional value from a snapshot replaced by the exact one from the query API).
 */
export class RollingBuffer {
  private readonly seconds = new Map<number, Map<string, number>>();
  private readonly keyOrder: string[] = [];
  private newest = Number.NEGATIVE_INFINITY;

  constructor(readonly windowSeconds: number) {}

  get keys(): readonly string[] {
    return this.keyOrder;
  }

  get latestSecond(): number | null {
    return Number.isFinite(this.newest) ? this.newest : null;
  }

  /** Sets every given key of one second (keys not given keep their value, or 0). */
  set(second: number, values: Readonly<Record<string, number>>, replace = true): void {
    const ts = Math.floor(second / 1000) * 1000;
    let row = this.seconds.get(ts);
    if (!row) {
      row = new Map();
      this.seconds.set(ts, row);
    } else if (replace) {
      row.clear();
    }
    for (const [key, value] of Object.entries(values)) {
      if (!this.keyOrder.includes(key)) this.keyOrder.push(key);
      row.set(key, value);
    }
    if (ts > this.newest) this.newest = ts;
    this.evict();
  }

  /** Loads `[ts, value]` points of one key (a query API series). */
  seed(key: string, points: readonly (readonly [number, number])[]): void {
    if (!this.keyOrder.includes(key)) this.keyOrder.push(key);
    for (const [ts, value] of points) {
      const second = Math.floor(ts / 1000) * 1000;
      let row = this.seconds.get(second);
      if (!row) {
        row = new Map();
        this.seconds.set(second, row);
      }
      row.set(key, value);
      if (second > this.newest) this.newest = second;
    }
    this.evict();
  }

  get(second: number, key: string): number | undefined {
    return this.seconds.get(Math.floor(second / 1000) * 1000)?.get(key);
  }

  has(second: number): boolean {
    return this.seconds.has(Math.floor(second / 1000) * 1000);
  }

  /**
   * The window ending at `endSecond` (inclusive) as columns: one timestamp per second (in
   * seconds, as uPlot wants), and per key a value per second (0 where nothing was recorded).
   * Keys are ordered by their total over the window, largest first, so stacks are stable.
   */
  columns(endSecond: number = this.newest): { xs: number[]; keys: string[]; values: number[][] } {
    const n = this.windowSeconds;
    const end = Math.floor(endSecond / 1000) * 1000;
    const xs = new Array<number>(n);
    const totals = new Map<string, number>();
    const byKey = new Map<string, number[]>();
    for (const key of this.keyOrder) byKey.set(key, new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      const ts = end - (n - 1 - i) * 1000;
      xs[i] = ts / 1000;
      const row = this.seconds.get(ts);
      if (!row) continue;
      for (const [key, value] of row) {
        byKey.get(key)![i] = value;
        totals.set(key, (totals.get(key) ?? 0) + value);
      }
    }
    const keys = this.keyOrder.filter((k) => (totals.get(k) ?? 0) > 0).sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b));
    return { xs, keys, values: keys.map((k) => byKey.get(k)!) };
  }

  private evict(): void {
    const oldest = this.newest - (this.windowSeconds + 5) * 1000;
    for (const ts of this.seconds.keys()) if (ts < oldest) this.seconds.delete(ts);
  }
}

/** A single number per second (a KPI's history for its sparkline). */
export class RollingValue {
  private readonly buffer: RollingBuffer;

  constructor(windowSeconds: number) {
    this.buffer = new RollingBuffer(windowSeconds);
  }

  push(ts: number, value: number): void {
    this.buffer.set(ts, { v: value });
  }

  /**
   * [seconds[], values[]] with gaps as null, so a sparkline shows where the feed was down. Seconds
   * before the first value are left out (down to `minSeconds`), so a fresh page's short history
   * fills its chart instead of hugging the right edge of an empty 5 minutes.
   */
  columns(endSecond?: number, minSeconds = 30): [number[], (number | null)[]] {
    const end = endSecond ?? this.buffer.latestSecond ?? Date.now();
    const window = this.buffer.windowSeconds;
    let n = Math.min(window, minSeconds);
    for (let age = window - 1; age >= n; age--) {
      if (this.buffer.has(Math.floor(end / 1000) * 1000 - age * 1000)) {
        n = age + 1;
        break;
      }
    }
    const xs = new Array<number>(n);
    const ys = new Array<number | null>(n);
    const last = Math.floor(end / 1000) * 1000;
    for (let i = 0; i < n; i++) {
      const ts = last - (n - 1 - i) * 1000;
      xs[i] = ts / 1000;
      ys[i] = this.buffer.get(ts, "v") ?? null;
    }
    return [xs, ys];
  }
}
