import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The bundle goes beside the server binary (artifacts/pulse/wwwroot), which is the web root
// PulseServer serves; the repository never holds a built bundle.
const outDir = fileURLToPath(new URL("../artifacts/pulse/wwwroot", import.meta.url));

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // Nothing inlined as data: URLs or inline scripts: the CSP allows only 'self' scripts and styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` against a running `./pulse serve`.
    proxy: {
      "/v1": { target: "http://localhost:8080", ws: true },
      "/health": "http://localhost:8080",
    },
  },
});
