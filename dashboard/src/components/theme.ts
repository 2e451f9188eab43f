import { useSyncExternalStore } from "react";

const query = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;

function subscribe(callback: () => void): () => void {
  query?.addEventListener("change", callback);
  return () => query?.removeEventListener("change", callback);
}

export type Scheme = "light" | "dark";

/** The viewer's colour scheme; charts (canvas) are redrawn with it, the rest follows CSS. */
export function useScheme(): Scheme {
  return useSyncExternalStore(subscribe, () => (query?.matches ? "dark" : "light"), () => "light");
}

/** A CSS custom property of the page, for drawing on canvas in the current theme. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const typeColors: Record<string, string> = {
  page_view: "#4e79a7",
  click: "#59a14f",
  add_to_cart: "#f28e2b",
  remove_from_cart: "#e15759",
  checkout: "#b07aa1",
  purchase: "#edc948",
  session_start: "#76b7b2",
  session_end: "#9c755f",
};
const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** A stable colour for an event type (so a type keeps its colour across charts and reloads). */
export function typeColor(type: string, index: number): string {
  return typeColors[type] ?? palette[index % palette.length]!;
}

export function seriesColor(index: number): string {
  return palette[index % palette.length]!;
}
