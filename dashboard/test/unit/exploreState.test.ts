import { describe, expect, it } from "vitest";
import { autoStep, decodeState, defaultState, effectiveStep, encodeState, metricQuery, stepsFor, type ExploreState } from "../../src/data/exploreState";

describe("Explore URL state", () => {
  it("round-trips a full state", () => {
    const state: ExploreState = {
      metric: "revenue",
      range: "7d",
      from: null,
      to: null,
      step: "1h",
      groupBy: ["country", "device"],
      filters: [
        { dimension: "country", value: "DE" },
        { dimension: "device", value: "mobile:ios" },
      ],
      limit: 20,
    };
    const encoded = encodeState(state);
    expect(encoded).toBe("?metric=revenue&range=7d&step=1h&group_by=country%2Cdevice&filter=country%3ADE&filter=device%3Amobile%3Aios&limit=20");
    expect(decodeState(encoded)).toEqual(state);
  });

  it("round-trips an absolute range, 'no step' and 'all groups'", () => {
    const state: ExploreState = { ...defaultState, from: 1_800_000_000_000, to: 1_800_000_600_000, step: "", limit: null };
    expect(decodeState(encodeState(state))).toEqual(state);
  });

  it("leaves defaults out of the URL", () => {
    expect(encodeState(defaultState)).toBe("?metric=events");
    expect(decodeState("")).toEqual(defaultState);
  });

  it("falls back to defaults for anything malformed", () => {
    const s = decodeState("?metric=&range=2y&step=7s&limit=-3&filter=nocolon&group_by=a,b,c,d,a&from=x&to=5");
    expect(s.metric).toBe("events");
    expect(s.range).toBe("1h");
    expect(s.step).toBe("auto");
    expect(s.limit).toBe(10);
    expect(s.filters).toEqual([]);
    expect(s.groupBy).toEqual(["a", "b", "c"]);
    expect(s.from).toBeNull();
  });

  it("accepts RFC 3339 times in a hand-written URL", () => {
    const s = decodeState("?from=2026-12-02T10:00:00Z&to=2026-12-02T11:00:00Z");
    expect(s.from).toBe(Date.UTC(2026, 11, 2, 10));
    expect(s.to).toBe(Date.UTC(2026, 11, 2, 11));
  });
});

describe("Explore query", () => {
  const now = 1_800_000_000_000;

  it("builds the /v1/metrics request from the state", () => {
    const q = metricQuery({ ...defaultState, metric: "events", groupBy: ["type"], filters: [{ dimension: "country", value: "DE" }], step: "1m" }, now);
    expect(q.path).toBe(`/v1/metrics/events?from=${now - 3_600_000}&to=${now}&step=1m&group_by=type&filter=country%3ADE&limit=10`);
  });

  it("sends no limit without group-by and no step for 'none'", () => {
    const q = metricQuery({ ...defaultState, step: "" }, now);
    expect(q.path).toBe(`/v1/metrics/events?from=${now - 3_600_000}&to=${now}`);
    expect(q.step).toBeNull();
  });

  it("chooses steps that keep a chart readable", () => {
    expect(autoStep(15 * 60_000)).toBe("1s");
    expect(autoStep(3_600_000)).toBe("10s");
    expect(autoStep(86_400_000)).toBe("1m");
    expect(autoStep(30 * 86_400_000)).toBe("1h");
    expect(stepsFor(3_600_000)).toEqual(["10s", "1m", "5m"]);
    expect(effectiveStep({ ...defaultState, step: "1s", range: "30d" }, 30 * 86_400_000)).toBe("1h");
  });
});
