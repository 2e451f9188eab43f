import { describe, expect, it } from "vitest";
import { formatCompact, formatDuration, formatExact, formatMetricValue, formatMoney, formatPercent, formatRate, formatTime } from "../../src/format/format";

describe("formatCompact", () => {
  it.each([
    [0, "0"],
    [7, "7"],
    [12.345, "12.3"],
    [0.5, "0.5"],
    [999, "999"],
    [1000, "1 k"],
    [1234, "1.2 k"],
    [56_789, "56.8 k"],
    [999_960, "1 M"],
    [1_234_567, "1.2 M"],
    [3_400_000_000, "3.4 G"],
    [-2500, "-2.5 k"],
  ])("%d → %s", (value, expected) => {
    expect(formatCompact(value, "en-US")).toBe(expected);
  });

  it("shows a dash for missing values", () => {
    expect(formatCompact(null)).toBe("–");
    expect(formatCompact(Number.NaN)).toBe("–");
  });

  it("follows the locale's decimal separator", () => {
    expect(formatCompact(1234, "de-DE")).toBe("1,2 k");
  });
});

describe("units", () => {
  it("rates", () => {
    expect(formatRate(1_234_000, "en-US")).toBe("1.2 M/s");
    expect(formatRate(42, "en-US")).toBe("42/s");
  });

  it("money with the data's currency, plain without", () => {
    expect(formatMoney(3400, "EUR", "en-US")).toBe("€3.4 k");
    expect(formatMoney(3400, "usd", "en-US")).toBe("$3.4 k");
    expect(formatMoney(3400, null, "en-US")).toBe("3.4 k");
    expect(formatMoney(3400, "XYZ1", "en-US")).toBe("3.4 k XYZ1");
    expect(formatMoney(null, "EUR", "en-US")).toBe("–");
  });

  it("revenue is money, other metrics counts", () => {
    expect(formatMetricValue("revenue", 12_500, "EUR", "en-US")).toBe("€12.5 k");
    expect(formatMetricValue("events", 12_500, "EUR", "en-US")).toBe("12.5 k");
  });

  it("percent", () => {
    expect(formatPercent(0.0312, "en-US")).toBe("3.1 %");
    expect(formatPercent(0.5, "en-US")).toBe("50 %");
    expect(formatPercent(null)).toBe("–");
  });

  it("durations in the largest sensible unit", () => {
    expect(formatDuration(4.25, "en-US")).toBe("4.3 ms");
    expect(formatDuration(850, "en-US")).toBe("850 ms");
    expect(formatDuration(1234, "en-US")).toBe("1.2 s");
    expect(formatDuration(210_000, "en-US")).toBe("3.5 min");
    expect(formatDuration(7_560_000, "en-US")).toBe("2.1 h");
    expect(formatDuration(172_800_000, "en-US")).toBe("2 d");
  });

  it("exact counts keep every digit", () => {
    expect(formatExact(1_234_567, "en-US", 0)).toBe("1,234,567");
    expect(formatExact(19.999, "en-US")).toBe("20");
    expect(formatExact(19.95, "en-US")).toBe("19.95");
  });
});

describe("formatTime", () => {
  const t = Date.UTC(2026, 11, 2, 13, 5, 9); // 2026-12-02 13:05:09 UTC

  it("is in the viewer's zone", () => {
    expect(formatTime(t, { locale: "en-GB", timeZone: "UTC", now: t })).toBe("13:05:09");
    expect(formatTime(t, { locale: "en-GB", timeZone: "Europe/Berlin", now: t })).toBe("14:05:09");
    expect(formatTime(t, { locale: "en-GB", timeZone: "America/New_York", now: t })).toBe("08:05:09");
  });

  it("adds the date for another day, drops seconds on request", () => {
    const dayAfter = t + 86_400_000;
    expect(formatTime(t, { locale: "en-GB", timeZone: "UTC", now: dayAfter })).toBe("2 Dec 2026, 13:05:09");
    expect(formatTime(t, { locale: "en-GB", timeZone: "UTC", now: t, seconds: false })).toBe("13:05");
  });

  it("decides 'same day' in the viewer's zone, not UTC", () => {
    const lateUtc = Date.UTC(2026, 11, 2, 23, 30, 0);
    const nextMorningUtc = Date.UTC(2026, 11, 3, 0, 30, 0);
    // In Berlin both are on 3 December.
    expect(formatTime(lateUtc, { locale: "en-GB", timeZone: "Europe/Berlin", now: nextMorningUtc })).toBe("00:30:00");
    expect(formatTime(lateUtc, { locale: "en-GB", timeZone: "UTC", now: nextMorningUtc })).toBe("2 Dec 2026, 23:30:00");
  });
});
