import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";

/** An error explained: the server's own words (problem+json detail) when it sent any. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const title = e ? e.title : "Something went wrong";
  const detail = e ? e.detail : String((error as Error)?.message ?? error);
  return (
    <div className="note note-error" role="alert">
      <strong>
        {what ? `${what}: ` : ""}
        {title}
        {e && e.status ? ` (${e.status})` : ""}
      </strong>
      {detail ? <p>{detail}</p> : null}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Panel({ title, children, className, actions, id }: { title: string; children: ReactNode; className?: string; actions?: ReactNode; id?: string }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className={`panel ${className ?? ""}`} aria-labelledby={headingId} data-testid={id}>
      <header className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Re-renders every `ms` (for "3 s ago" and countdowns). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
