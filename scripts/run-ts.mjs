#!/usr/bin/env node
// Runs a TypeScript entry point with tsx. The react-server condition makes
// `server-only` imports resolve to their no-op build outside Next.js.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node scripts/run-ts.mjs <file.ts> [args…]");
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve(script), ...args], {
  stdio: "inherit",
  cwd: process.cwd(),
  env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json"), NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" },
});
process.exit(result.status ?? 1);
