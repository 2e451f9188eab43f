import type { MetricResponse, RealtimeSnapshot } from "../api/types";
import type { RollingBuffer } from "./rollingBuffer";

/** The second a snapshot's `events_per_second` counts: the last complete second before `ts`. */
export function snapshotSecond(snapshot: RealtimeSnapshot): number {
  return Math.floor(snapshot.ts / 1000) * 1000 - 1000;
}

/**
 * A provisional per-type split of the snapshot's last complete second: the snapshot gives that
 * second's total exactly and the last minute's counts per type, so the second is split in the
 * last minute's proportions. The query API's exact per-type values replace it a few seconds later.
 */
export function estimateSecondByType(snapshot: RealtimeSnapshot): Record<string, number> {
  const total = snapshot.events_per_second;
  const entries = Object.entries(snapshot.by_type).filter(([, v]) => v > 0);
  const minute = entries.reduce((sum, [, v]) => sum + v, 0);
  if (total <= 0 || minute <= 0) return total > 0 ? { other: total } : {};
  const out: Record<string, number> = {};
  let assigned = 0;
  entries.sort((a, b) => b[1] - a[1]);
  entries.forEach(([type, count], i) => {
    const share = i === entries.length - 1 ? total - assigned : Math.round((total * count) / minute);
    const value = Math.max(0, Math.min(share, total - assigned));
    assigned += value;
    if (value > 0) out[type] = value;
  });
  return out;
}

/** Writes a snapshot into the per-type buffer unless the second already holds exact values. */
export function applySnapshot(buffer: RollingBuffer, snapshot: RealtimeSnapshot, exact: ReadonlySet<number>): void {
  const second = snapshotSecond(snapshot);
  if (!exact.has(second)) buffer.set(second, estimateSecondByType(snapshot));
}

/**
 * Writes a `events?step=1s&group_by=type` answer into the buffer: every second of its range gets
 * its exact per-type values (zero where a type had none). Returns the seconds written.
 */
export function applyTypeSeries(buffer: RollingBuffer, response: MetricResponse): number[] {
  const rows = new Map<number, Record<string, number>>();
  for (let ts = response.from; ts < response.to; ts += 1000) rows.set(ts, {});
  for (const series of response.series) {
    const type = series.group.type ?? "(none)";
    for (const [ts, value] of series.points ?? []) {
      const row = rows.get(ts) ?? {};
      row[type] = value;
      rows.set(ts, row);
    }
  }
  const written: number[] = [];
  for (const [ts, values] of rows) {
    buffer.set(ts, values);
    written.push(ts);
  }
  return written;
}

/**
 * Stacks columns for drawing: row i becomes the sum of rows 0..i. Drawn from the top row down with
 * opaque fills, each band shows one key's share while the total stays exact.
 */
export function stack(values: readonly (readonly number[])[]): number[][] {
  const out: number[][] = [];
  let running: number[] | null = null;
  for (const row of values) {
    const next: number[] = running ? row.map((v, i) => v + running![i]!) : [...row];
    out.push(next);
    running = next;
  }
  return out;
}
