import { authHeaders, markKeyNeeded } from "./auth";
import type { Problem } from "./types";

/** An API call that failed, with what the server said (problem+json detail) when it said anything. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = "ApiError";
  }

  get notAvailable(): boolean {
    return this.status === 404;
  }

  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export async function problemFrom(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  const type = response.headers.get("content-type") ?? "";
  try {
    if (type.includes("json")) problem = (await response.json()) as Problem;
    else {
      const text = (await response.text()).trim();
      if (text) problem = { detail: text.slice(0, 500) };
    }
  } catch {
    // an unreadable body still leaves the status
  }
  const title = problem.title ?? (response.statusText || `HTTP ${response.status}`);
  return new ApiError(response.status, title, problem.detail ?? "");
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Statuses whose JSON body is still the answer (e.g. 503 from /health/ready). */
  acceptStatus?: number[];
}

/** GET a JSON document from the Pulse API, with the read key when the viewer gave one. */
export async function getJson<T>(path: string, options: GetOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: { Accept: "application/json", ...authHeaders() },
      signal: options.signal,
      cache: "no-store",
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "Server unreachable", `Could not reach the Pulse server (${String((e as Error).message ?? e)}).`);
  }
  if (response.status === 401) markKeyNeeded();
  if (!response.ok && !options.acceptStatus?.includes(response.status)) throw await problemFrom(response);
  return (await response.json()) as T;
}

/** Query string from ordered pairs (repeated keys allowed, e.g. filter=...&filter=...). */
export function queryString(pairs: [string, string | number | undefined | null][]): string {
  const params = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== "") params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}
