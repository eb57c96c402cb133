import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
      "@": path.resolve(import.meta.dirname),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // chdb holds one data directory per process: forks (not threads), a temp dir each.
    pool: "forks",
    globalSetup: ["./lib/testing/vitest-global-setup.ts"],
    setupFiles: ["./lib/testing/vitest-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
