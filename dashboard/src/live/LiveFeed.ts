import { authHeaders, liveProtocols, markKeyNeeded, onAuthChange } from "../api/auth";
import type { LiveMessage, RealtimeSnapshot } from "../api/types";
import { backoffDelay } from "./backoff";

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

export interface LiveStatus {
  state: LiveState;
  /** When the next attempt is due (epoch ms), while reconnecting. */
  retryAt?: number;
  attempt: number;
  lastMessageAt?: number;
}

type SnapshotListener = (snapshot: RealtimeSnapshot) => void;
type StatusListener = (status: LiveStatus) => void;

/** After this many failed attempts in a row the feed says "offline" (it keeps trying). */
const offlineAfter = 4;
/** No message for this long on an open socket means the connection is dead. */
const silenceMs = 5_000;

/**
 * One WebSocket to /v1/live for the whole page, reconnecting with exponential backoff and jitter.
 * Snapshots fan out to every subscriber; the status (live / reconnecting / offline) too.
 */
export class LiveFeed {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private status: LiveStatus = { state: "connecting", attempt: 0 };
  private latest: RealtimeSnapshot | null = null;
  private stopped = true;

  constructor(
    private readonly url: string,
    private readonly random: () => number = Math.random,
  ) {
    onAuthChange(() => {
      if (!this.stopped) this.reconnectNow();
    });
  }

  static forPage(intervalMs = 1000): LiveFeed {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return new LiveFeed(`${scheme}//${location.host}/v1/live?interval_ms=${intervalMs}`);
  }

  get current(): LiveStatus {
    return this.status;
  }

  get lastSnapshot(): RealtimeSnapshot | null {
    return this.latest;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.timer = this.watchdog = null;
    this.closeSocket();
  }

  onSnapshot(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  /** Skip the wait (the "retry now" button, or a new key). */
  reconnectNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closeSocket();
    this.open();
  }

  private open(): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, liveProtocols());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    if (this.status.attempt === 0) this.setStatus({ state: "connecting", attempt: 0 });
    socket.onmessage = (event) => this.receive(event);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) {
        if (this.status.state !== "live") void this.probeAuth();
        this.scheduleRetry();
      }
    };
  }

  private receive(event: MessageEvent): void {
    if (typeof event.data !== "string") return;
    let message: LiveMessage;
    try {
      message = JSON.parse(event.data) as LiveMessage;
    } catch {
      return;
    }
    const now = Date.now();
    if (this.status.state !== "live") this.setStatus({ state: "live", attempt: 0, lastMessageAt: now });
    else this.status.lastMessageAt = now;
    if (message.type === "snapshot") {
      this.latest = message.data;
      for (const l of this.snapshotListeners) l(message.data);
    }
  }

  private scheduleRetry(): void {
    const attempt = this.status.attempt + 1;
    const delay = backoffDelay(attempt - 1, this.random);
    this.setStatus({
      state: attempt > offlineAfter ? "offline" : "reconnecting",
      attempt,
      retryAt: Date.now() + delay,
      lastMessageAt: this.status.lastMessageAt,
    });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private checkSilence(): void {
    const last = this.status.lastMessageAt;
    if (this.status.state === "live" && last !== undefined && Date.now() - last > silenceMs) {
      // A half-open TCP connection never fires close: drop it ourselves.
      const socket = this.socket;
      this.socket = null;
      socket?.close();
      this.scheduleRetry();
    }
  }

  /** A WebSocket refused for auth just closes; ask over HTTP so a 401 can bring up the key form. */
  private async probeAuth(): Promise<void> {
    try {
      const response = await fetch("/v1/realtime", { method: "GET", cache: "no-store", headers: authHeaders() });
      if (response.status === 401) markKeyNeeded();
    } catch {
      // server down: the reconnect state already says so
    }
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
    }
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }
}
