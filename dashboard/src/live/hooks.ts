import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { onAuthChange } from "../api/auth";
import { getJson, type GetOptions } from "../api/client";
import type { LiveStatus } from "./LiveFeed";
import { liveStore } from "./liveStore";

/** Re-renders on every live snapshot (and seed/reconcile); returns the store. */
export function useLive() {
  const store = liveStore();
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

export function useLiveStatus(): LiveStatus {
  const feed = liveStore().feed;
  const [status, setStatus] = useState<LiveStatus>(feed.current);
  useEffect(() => feed.onStatus((s) => setStatus({ ...s })), [feed]);
  return status;
}

export interface Polled<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** When `data` was fetched. */
  at: number | null;
  reload: () => void;
}

/** A request whose path is built at each poll (relative times move), identified by a stable key. */
export interface PollRequest {
  key: string;
  path: () => string;
}

/**
 * GETs a path now and every `intervalMs` (0: once), keeping the previous answer on screen while
 * the next one loads, so a refresh never blanks the view. A new key starts fresh.
 */
export function usePolled<T>(request: string | PollRequest | null, intervalMs: number, options: GetOptions = {}): Polled<T> {
  const path = request === null ? null : typeof request === "string" ? request : request.key;
  const build = useRef<() => string>(() => "");
  build.current = request === null ? () => "" : typeof request === "string" ? () => request : request.path;
  const [state, setState] = useState<{ path: string | null; data: T | null; error: unknown; loading: boolean; at: number | null }>({
    path,
    data: null,
    error: null,
    loading: path !== null,
    at: null,
  });
  const [tick, setTick] = useState(0);
  const accept = useRef(options.acceptStatus);
  accept.current = options.acceptStatus;

  useEffect(() => onAuthChange(() => setTick((t) => t + 1)), []);

  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    setState((s) => (s.path === path ? { ...s, loading: true } : { path, data: null, error: null, loading: true, at: null }));
    const run = async () => {
      try {
        const data = await getJson<T>(build.current(), { signal: controller.signal, acceptStatus: accept.current });
        if (!cancelled) setState({ path, data, error: null, loading: false, at: Date.now() });
      } catch (error) {
        if (cancelled) return;
        setState((s) => ({ ...s, path, error, loading: false }));
      }
      if (!cancelled && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      cancelled = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [path, intervalMs, tick]);

  const current = state.path === path ? state : { data: null, error: null, loading: path !== null, at: null };
  return { data: current.data, error: current.error, loading: current.loading, at: current.at, reload: () => setTick((t) => t + 1) };
}
