import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder with Pulse.slnx) above this file. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "Pulse.slnx"))) {
    const up = resolve(dir, "..");
    if (up === dir) throw new Error("Pulse.slnx not found above the browser tests");
    dir = up;
  }
  return dir;
})();

/** The server ./pulse and ./test.sh build, with the dashboard beside it in wwwroot. */
export const pulseDll = join(repoRoot, "artifacts", "pulse", "pulse.dll");
export const webRoot = join(repoRoot, "artifacts", "pulse", "wwwroot");
export const screenshotDir = join(repoRoot, "artifacts", "screenshots");
export const chromiumPath = process.env.PULSE_CHROMIUM ?? "/usr/bin/chromium";
