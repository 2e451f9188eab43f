import type { TopEntry } from "../api/types";
import { formatExact } from "../format/format";

/**
 * A ranked list (top pages, top products) with a bar for each entry's share of the first. It always
 * has `size` rows (blank ones below the last entry), so a list that grows never moves the page.
 */
export function TopTable({ entries, keyLabel, valueLabel, testId, empty, size = 10 }: { entries: TopEntry[] | undefined; keyLabel: string; valueLabel: string; testId?: string; empty: string; size?: number }) {
  const rows = (entries ?? []).slice(0, size);
  const max = rows.reduce((m, e) => Math.max(m, e.value), 0);
  return (
    <table className="toplist" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{keyLabel}</th>
          <th scope="col" className="num">
            {valueLabel}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={2} className="empty">
              {empty}
            </td>
          </tr>
        ) : null}
        {rows.map((e) => (
            <tr key={e.key}>
              <td className="top-key">
                <span className="bar" style={{ width: `${max > 0 ? (e.value / max) * 100 : 0}%` }} aria-hidden="true" />
                <span className="top-text" title={e.key}>
                  {e.key}
                </span>
              </td>
              <td className="num">{formatExact(e.value, undefined, 0)}</td>
            </tr>
          ))}
        {Array.from({ length: size - Math.max(1, rows.length) }, (_, i) => (
          <tr key={`blank-${i}`} className="blank" aria-hidden="true">
            <td>&nbsp;</td>
            <td />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
