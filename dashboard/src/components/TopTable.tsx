import type { TopEntry } from "../api/types";
import { formatExact } from "../format/format";

/** A ranked list (top pages, top products) with a bar for each entry's share of the first. */
export function TopTable({ entries, keyLabel, valueLabel, testId, empty }: { entries: TopEntry[] | undefined; keyLabel: string; valueLabel: string; testId?: string; empty: string }) {
  const rows = entries ?? [];
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
        ) : (
          rows.map((e) => (
            <tr key={e.key}>
              <td className="top-key">
                <span className="bar" style={{ width: `${max > 0 ? (e.value / max) * 100 : 0}%` }} aria-hidden="true" />
                <span className="top-text" title={e.key}>
                  {e.key}
                </span>
              </td>
              <td className="num">{formatExact(e.value, undefined, 0)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
