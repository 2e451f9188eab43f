import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { pulseDll } from "./paths";

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A real `pulse serve` on a loopback port over a data directory; stopped with SIGTERM (clean) or killed. */
export class PulseServer {
  private process: ChildProcess | null = null;
  private output = "";

  constructor(
    readonly port: number,
    readonly dataDir: string,
    /** More `pulse serve` arguments, e.g. configuration such as `--Pulse:Cors:AllowedOrigins:0=...`. */
    readonly extraArgs: string[] = [],
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn("dotnet", [pulseDll, "serve", "--urls", this.baseUrl, "--data", this.dataDir, ...this.extraArgs], {
      env: { ...process.env, DOTNET_gcServer: "0", Logging__LogLevel__Default: "Warning", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    child.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (child.exitCode !== null) throw new Error(`pulse exited with ${child.exitCode} before it was ready:\n${this.output}`);
      try {
        const r = await fetch(`${this.baseUrl}/health/ready`);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`pulse was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  /** SIGTERM and wait: the clean shutdown path (drain, checkpoint). */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
    this.process = null;
  }

  async getJson<T>(path: string): Promise<T> {
    const r = await fetch(this.baseUrl + path);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }
}

export interface GenerateSummary {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  truth: { events: number; min_event_time: number; max_event_time: number; by_type: Record<string, number>; orders: number };
}

/** `pulse generate` against the server; resolves with its JSON summary. */
export function generate(target: string, args: string[]): { done: Promise<GenerateSummary>; stop: () => void } {
  const child = spawn("dotnet", [pulseDll, "generate", "--target", target, "--json", "--quiet", ...args], {
    env: { ...process.env, DOTNET_gcServer: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<GenerateSummary>((resolveRun, reject) => {
    child.on("exit", (code, signal) => {
      if (code === 0 || signal === "SIGTERM" || signal === "SIGINT") {
        try {
          resolveRun(JSON.parse(out) as GenerateSummary);
        } catch {
          reject(new Error(`generate printed no summary (${code ?? signal}): ${err}`));
        }
      } else reject(new Error(`generate exited with ${code ?? signal}: ${err}`));
    });
  });
  return { done, stop: () => child.kill("SIGINT") };
}
