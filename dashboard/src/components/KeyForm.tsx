import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { forgetKey, isKeyNeeded, isValidKey, onAuthChange, readKey, saveKey } from "../api/auth";

function useAuth() {
  return useSyncExternalStore(onAuthChange, () => `${isKeyNeeded() ? 1 : 0}|${readKey() ?? ""}`);
}

/**
 * Asks for a read key after the server answered 401. The key stays in this tab's sessionStorage
 * and goes out only as a Bearer header (and the live feed's subprotocol), never in a URL.
 */
export function KeyForm() {
  useAuth();
  const needed = isKeyNeeded();
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (needed) input.current?.focus();
  }, [needed]);
  if (!needed) return null;
  const hadKey = readKey() !== null;
  return (
    <form
      className="keyform"
      aria-labelledby="keyform-title"
      data-testid="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        const key = value.trim();
        if (!isValidKey(key)) {
          setProblem("A key is 1–512 letters, digits or . _ ~ + - characters.");
          return;
        }
        setProblem(null);
        setValue("");
        saveKey(key);
      }}
    >
      <h2 id="keyform-title">{hadKey ? "That key was not accepted" : "This server needs a read key"}</h2>
      <p>Pulse answered 401 Unauthorized. Enter a read key (from whoever runs this server, <code>--read-key</code>). It is kept for this tab only.</p>
      <label htmlFor="key-input">Read key</label>
      <div className="keyform-row">
        <input id="key-input" ref={input} type="password" autoComplete="off" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? "key-problem" : undefined} />
        <button type="submit">Use key</button>
      </div>
      {problem ? (
        <p id="key-problem" className="field-error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

export function KeyStatus() {
  useAuth();
  if (readKey() === null) return null;
  return (
    <button type="button" className="link-button" onClick={() => forgetKey()} title="Forget the read key kept for this tab">
      Forget key
    </button>
  );
}
