import { useLiveStatus } from "../live/hooks";
import { liveStore } from "../live/liveStore";
import { useNow } from "./ui";

const labels = { connecting: "connecting", live: "live", reconnecting: "reconnecting", offline: "offline" } as const;

/** The live feed's state, always visible; while down, when the next attempt is and a button to try now. */
export function LiveBadge() {
  const status = useLiveStatus();
  const now = useNow(500);
  const waiting = status.retryAt !== undefined && status.state !== "live" ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : null;
  return (
    <div className="live" data-state={status.state} data-testid="live-state">
      <span className="live-dot" aria-hidden="true" />
      <span role="status" aria-live="polite">
        {labels[status.state]}
        {waiting !== null && status.state !== "connecting" ? <span className="live-retry"> · retry in {waiting} s</span> : null}
      </span>
      {status.state === "reconnecting" || status.state === "offline" ? (
        <button type="button" className="link-button" onClick={() => liveStore().feed.reconnectNow()}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
