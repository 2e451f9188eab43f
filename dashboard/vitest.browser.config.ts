import { defineConfig } from "vitest/config";

// Real Chromium against a real `pulse serve`: slow, sequential, one file at a time.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
