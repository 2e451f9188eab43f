// Numbers with units, money, durations and times, as a person reads them. Every function takes an
// optional locale (and time zone) so tests can pin them; the dashboard uses the viewer's.

const prefixes: [number, string][] = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

function numberFormat(locale: string | undefined, digits: number): Intl.NumberFormat {
  const key = `${locale ?? ""}|${digits}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    formats.set(key, f);
  }
  return f;
}
const formats = new Map<string, Intl.NumberFormat>();

/** 1234 → "1.2 k", 5_600_000 → "5.6 M", 12.345 → "12.3", 0.5 → "0.5"; null → "–". */
export function formatCompact(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  for (const [scale, prefix] of prefixes) {
    // 999_950 would round to "1,000 k": promote it to "1 M" instead.
    if (abs >= scale * 0.99995) {
      const scaled = value / scale;
      return `${numberFormat(locale, Math.abs(scaled) < 10 ? 1 : Math.abs(scaled) < 100 ? 1 : 0).format(scaled)} ${prefix}`;
    }
  }
  const digits = abs === Math.trunc(abs) ? 0 : abs < 10 ? 2 : 1;
  return numberFormat(locale, digits).format(value);
}

/** An exact count with grouping: 12345 → "12,345" (tables and totals people compare). */
export function formatExact(value: number | null | undefined, locale?: string, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return numberFormat(locale, digits).format(value);
}

/** 1_234_000 → "1.2 M/s". */
export function formatRate(perSecond: number | null | undefined, locale?: string): string {
  return `${formatCompact(perSecond, locale)}/s`;
}

const symbols = new Map<string, { symbol: string; before: boolean }>();

function currencySymbol(currency: string, locale?: string): { symbol: string; before: boolean } {
  const key = `${locale ?? ""}|${currency}`;
  let s = symbols.get(key);
  if (!s) {
    try {
      const parts = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "narrowSymbol" }).formatToParts(1);
      const index = parts.findIndex((p) => p.type === "currency");
      const integer = parts.findIndex((p) => p.type === "integer");
      s = { symbol: parts[index]?.value ?? currency, before: index < integer };
    } catch {
      s = { symbol: currency, before: false }; // not an ISO 4217 code: show it as written
    }
    symbols.set(key, s);
  }
  return s;
}

/** Money: "€3.4 k" when the data names a currency, otherwise the plain amount ("3.4 k"). */
export function formatMoney(value: number | null | undefined, currency?: string | null, locale?: string): string {
  const amount = formatCompact(value, locale);
  if (!currency || amount === "–") return amount;
  const { symbol, before } = currencySymbol(currency.toUpperCase(), locale);
  return before ? `${symbol}${amount}` : `${amount} ${symbol}`;
}

/** 0.0312 → "3.1 %". */
export function formatPercent(ratio: number | null | undefined, locale?: string): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  const pct = ratio * 100;
  return `${numberFormat(locale, pct < 10 ? 1 : 0).format(pct)} %`;
}

/** Milliseconds as the largest sensible unit: "850 ms", "1.2 s", "3.5 min", "2.1 h". */
export function formatDuration(ms: number | null | undefined, locale?: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${numberFormat(locale, abs < 10 ? 1 : 0).format(ms)} ms`;
  if (abs < 60_000) return `${numberFormat(locale, 1).format(ms / 1000)} s`;
  if (abs < 3_600_000) return `${numberFormat(locale, 1).format(ms / 60_000)} min`;
  if (abs < 86_400_000) return `${numberFormat(locale, 1).format(ms / 3_600_000)} h`;
  return `${numberFormat(locale, 1).format(ms / 86_400_000)} d`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string | undefined, timeZone: string | undefined, withDate: boolean, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${timeZone ?? ""}|${withDate}|${withSeconds}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      ...(withSeconds ? { second: "2-digit" } : {}),
      ...(withDate ? { year: "numeric", month: "short", day: "numeric" } : {}),
      hourCycle: "h23",
    });
    timeFormats.set(key, f);
  }
  return f;
}

/** An instant (epoch ms) in the viewer's zone: "14:03:07"; with the date for anything not today. */
export function formatTime(ms: number, options: { locale?: string; timeZone?: string; now?: number; seconds?: boolean } = {}): string {
  const now = options.now ?? Date.now();
  const sameDay = dateFormatDay(ms, options) === dateFormatDay(now, options);
  return dateFormat(options.locale, options.timeZone, !sameDay, options.seconds ?? true).format(ms);
}

function dateFormatDay(ms: number, options: { locale?: string; timeZone?: string }): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: options.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** The viewer's time zone name, shown beside times so nobody has to guess. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

/** A value of a metric by its kind: money for revenue, counts otherwise. */
export function formatMetricValue(metric: string, value: number | null | undefined, currency?: string | null, locale?: string): string {
  return metric === "revenue" ? formatMoney(value, currency, locale) : formatCompact(value, locale);
}
