import { describe, expect, it } from "vitest";
import { RollingBuffer, RollingValue } from "../../src/data/rollingBuffer";

const s = (n: number) => 1_800_000_000_000 + n * 1000;

describe("RollingBuffer", () => {
  it("gives one column per second of the window, zero where nothing was recorded", () => {
    const b = new RollingBuffer(5);
    b.set(s(10), { page_view: 3, click: 1 });
    b.set(s(8), { page_view: 2 });
    const c = b.columns(s(10));
    expect(c.xs).toEqual([6, 7, 8, 9, 10].map((n) => s(n) / 1000));
    expect(c.keys).toEqual(["page_view", "click"]);
    expect(c.values).toEqual([
      [0, 0, 2, 0, 3],
      [0, 0, 0, 0, 1],
    ]);
  });

  it("floors timestamps to their second", () => {
    const b = new RollingBuffer(3);
    b.set(s(4) + 999, { a: 1 });
    expect(b.get(s(4), "a")).toBe(1);
    expect(b.columns(s(4) + 500).values).toEqual([[0, 0, 1]]);
  });

  it("slides: seconds older than the window are dropped", () => {
    const b = new RollingBuffer(3);
    for (let i = 0; i < 20; i++) b.set(s(i), { a: i });
    expect(b.has(s(5))).toBe(false);
    expect(b.columns().values).toEqual([[17, 18, 19]]);
    expect(b.latestSecond).toBe(s(19));
  });

  it("replaces a second's values when it is written again (provisional → exact)", () => {
    const b = new RollingBuffer(2);
    b.set(s(1), { page_view: 10, click: 5 });
    b.set(s(1), { page_view: 9 });
    expect(b.get(s(1), "page_view")).toBe(9);
    expect(b.get(s(1), "click")).toBeUndefined();
  });

  it("orders keys by their total over the window, and leaves out keys with none", () => {
    const b = new RollingBuffer(3);
    b.set(s(1), { small: 1, big: 5, gone: 0 });
    b.set(s(2), { small: 1, big: 5 });
    expect(b.columns(s(2)).keys).toEqual(["big", "small"]);
  });

  it("seeds from query API points", () => {
    const b = new RollingBuffer(3);
    b.seed("purchase", [
      [s(1), 2],
      [s(2), 4],
    ]);
    expect(b.columns(s(2)).values).toEqual([[0, 2, 4]]);
  });
});

describe("RollingValue", () => {
  it("marks seconds without a value as gaps (null), not zero", () => {
    const v = new RollingValue(4);
    v.push(s(1), 7);
    v.push(s(3), 9);
    expect(v.columns(s(3))).toEqual([[0, 1, 2, 3].map((n) => s(n) / 1000), [null, 7, null, 9]]);
  });

  it("leaves out the seconds before its first value, down to a minimum span", () => {
    const v = new RollingValue(300);
    v.push(s(100), 1);
    v.push(s(200), 2);
    const [xs, ys] = v.columns(s(200), 60);
    expect(xs.length).toBe(101);
    expect(xs[0]).toBe(s(100) / 1000);
    expect(ys[0]).toBe(1);
    expect(ys[100]).toBe(2);
    v.push(s(210), 3);
    expect(v.columns(s(260), 60)[0].length).toBe(161); // s(100) is still in the 5-minute window
    const fresh = new RollingValue(300);
    fresh.push(s(5), 1);
    expect(fresh.columns(s(5), 60)[0].length).toBe(60);
    expect(fresh.columns(s(5))[0].length).toBe(30);
  });
});
