/**
 * Reconnect delay: exponential from `baseMs`, capped at `maxMs`, with "full jitter" (a uniform
 * draw below the exponential bound) so many dashboards that lost the same server do not all come
 * back in the same instant.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 15_000): number {
  const bound = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  // Never below a quarter of the bound: a reconnect storm of zero delays helps nobody.
  return Math.round(bound / 4 + random() * (bound * 3) / 4);
}
