// The read key the viewer typed in, kept for this tab only (sessionStorage), never in a URL.

const storageKey = "pulse.readKey";
type Listener = () => void;
const listeners = new Set<Listener>();
let needed = false;

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

export function readKey(): string | null {
  return storage()?.getItem(storageKey) ?? null;
}

/** A key must be usable both as a Bearer token and inside a WebSocket subprotocol token. */
export function isValidKey(key: string): boolean {
  return /^[A-Za-z0-9._~+\-]{1,512}$/.test(key);
}

export function saveKey(key: string): void {
  storage()?.setItem(storageKey, key);
  needed = false;
  emit();
}

export function forgetKey(): void {
  storage()?.removeItem(storageKey);
  emit();
}

/** Called when the server answered 401: the UI asks for a key. */
export function markKeyNeeded(): void {
  if (!needed) {
    needed = true;
    emit();
  }
}

export function isKeyNeeded(): boolean {
  return needed;
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const l of listeners) l();
}

export function authHeaders(): Record<string, string> {
  const key = readKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Subprotocols for WS /v1/live: the server selects pulse.v1; the key rides in the second. */
export function liveProtocols(): string[] {
  const key = readKey();
  return key ? ["pulse.v1", `pulse.bearer.${key}`] : ["pulse.v1"];
}
