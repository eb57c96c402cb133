#!/usr/bin/env node
// Runs the Playwright specs in Chromium: Debian's /usr/bin/chromium when present,
// else Playwright's own browser, else a message saying how to get one.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const system = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
let bundled;
try {
  const { chromium } = await import("@playwright/test");
  bundled = fs.existsSync(chromium.executablePath()) ? chromium.executablePath() : undefined;
} catch {
  bundled = undefined;
}
if (!system && !bundled) {
  console.error(
    "No Chromium found for the browser tests.\n" +
      "  Debian/Ubuntu: sudo apt-get install -y chromium   (bash .ci/run does this)\n" +
      "  elsewhere:     npx playwright install chromium",
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [path.join(root, "node_modules/@playwright/test/cli.js"), "test", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" },
});
process.exit(result.status ?? 1);
