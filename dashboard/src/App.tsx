import { useEffect } from "react";
import { KeyForm, KeyStatus } from "./components/KeyForm";
import { LiveBadge } from "./components/LiveBadge";
import { liveStore } from "./live/liveStore";
import { onLinkClick, useLocation } from "./router";
import { AnomaliesView, FunnelsView, PatternsView } from "./views/Analytics";
import { ExploreView } from "./views/Explore";
import { OverviewView } from "./views/Overview";
import { PipelineView } from "./views/Pipeline";

const views = [
  { path: "/", label: "Overview", render: () => <OverviewView /> },
  { path: "/explore", label: "Explore", render: () => <ExploreView /> },
  { path: "/funnels", label: "Funnels", render: () => <FunnelsView /> },
  { path: "/patterns", label: "Patterns", render: () => <PatternsView /> },
  { path: "/anomalies", label: "Anomalies", render: () => <AnomaliesView /> },
  { path: "/pipeline", label: "Pipeline", render: () => <PipelineView /> },
];

export function App() {
  const { pathname } = useLocation();
  const path = pathname.replace(/\/+$/, "") || "/";
  const view = views.find((v) => v.path === path);
  useEffect(() => liveStore().start(), []);
  useEffect(() => {
    document.title = view ? `${view.label} · Pulse` : "Not found · Pulse";
  }, [view]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="/" onClick={onLinkClick}>
          <img src="/favicon.svg" alt="" width="24" height="24" />
          Pulse
        </a>
        <nav aria-label="Views">
          <ul>
            {views.map((v) => (
              <li key={v.path}>
                <a href={v.path} onClick={onLinkClick} aria-current={v === view ? "page" : undefined}>
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-right">
          <KeyStatus />
          <LiveBadge />
        </div>
      </header>
      <KeyForm />
      <main id="main" tabIndex={-1}>
        {view ? (
          view.render()
        ) : (
          <div className="note">
            <h1>Not found</h1>
            <p>
              There is no view at <code>{pathname}</code>.{" "}
              <a href="/" onClick={onLinkClick}>
                Go to the overview
              </a>
              .
            </p>
          </div>
        )}
      </main>
    </>
  );
}
