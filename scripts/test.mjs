#!/usr/bin/env node
// `npm test`: unit and integration tests (vitest), then browser tests (Playwright),
// then one closing line "N passed, N failed" counting both.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const results = path.join(root, "test-results");
fs.rmSync(results, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function run(label, args) {
  console.log(`\n━━ ${label} ━━`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env });
  console.log(`━━ ${label}: exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return r.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(results, file), "utf8"));
  } catch {
    return undefined;
  }
}

// Static checks first: they are cheap and their failures are the clearest.
const typeStatus = run("typecheck (tsc --noEmit)", [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit"]);
const lintStatus = run("lint (eslint)", [path.join(root, "node_modules/eslint/bin/eslint.js"), "."]);
const staticFailures = (typeStatus === 0 ? 0 : 1) + (lintStatus === 0 ? 0 : 1);

const unitStatus = run("unit and integration tests (vitest)", [
  path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${path.join(results, "vitest.json")}`,
]);
const e2eStatus = run("browser tests (Playwright, Chromium)", [path.join(root, "scripts/e2e.mjs")]);

const unit = readJson("vitest.json");
const e2e = readJson("e2e.json");
let passed = 2 - staticFailures + (unit?.numPassedTests ?? 0) + (e2e?.stats?.expected ?? 0);
let failed = staticFailures + (unit?.numFailedTests ?? 0) + (e2e?.stats?.unexpected ?? 0) + (e2e?.stats?.flaky ?? 0);
const skipped = (unit?.numPendingTests ?? 0) + (unit?.numTodoTests ?? 0) + (e2e?.stats?.skipped ?? 0);
// A runner that crashed before writing its report still fails the run.
if (unitStatus !== 0 && !unit?.numFailedTests) failed += 1;
if (e2eStatus !== 0 && !e2e?.stats?.unexpected) failed += 1;
console.log(`\nstatic checks: ${2 - staticFailures} passed, ${staticFailures} failed; vitest: ${unit?.numPassedTests ?? 0} passed, ${unit?.numFailedTests ?? 0} failed; playwright: ${e2e?.stats?.expected ?? 0} passed, ${e2e?.stats?.unexpected ?? 0} failed`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(staticFailures === 0 && unitStatus === 0 && e2eStatus === 0 && failed === 0 ? 0 : 1);
