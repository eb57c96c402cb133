import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";

// The soak run (bench/soak.ts) for 60 s: its own production server on a
// temporary data directory, 50 embed users over 60 tenants, ingest with
// retries, revocations and a publish half-way. It checks every answer itself
// and exits non-zero on any failure; the figures are asserted here too.

const ROOT = path.resolve(__dirname, "..");

test("soak: 60 s of embed users, ingest, revocations and a publish: no errors, no other tenant's numbers, no memory kept", async () => {
  test.setTimeout(10 * 60_000);
  const out = path.join(ROOT, "test-results", "soak.json");
  fs.rmSync(out, { force: true });
  const args = ["scripts/run-ts.mjs", "bench/soak.ts", "--seconds", "60", "--port", String(E2E.port + 5), "--json", out];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", resolve);
  });
  expect(fs.existsSync(out), "the soak wrote its figures").toBe(true);
  const result = JSON.parse(fs.readFileSync(out, "utf8"));
  expect(result.requests).toBeGreaterThan(100);
  expect(result.errors).toBe(0);
  expect(result.cross_tenant_or_wrong_values).toBe(0);
  expect(result.checked_answers).toBeGreaterThan(50);
  expect(result.row_count_mismatches).toBe(0);
  expect(result.revoked_401).toBeGreaterThan(0);
  expect(result.published).toBe(true);
  // Memory kept, not memory sized: JavaScript after a collection, the engine at rest, RSS as a backstop (bench/soak.ts).
  expect(result.held_mb.growth_last_30s).toBeLessThanOrEqual(10);
  expect(result.held_mb.engine_growth_at_rest).toBeLessThanOrEqual(10);
  expect(result.rss_mb.growth_last_30s).toBeLessThanOrEqual(64);
  expect(code, "the soak's exit code").toBe(0);
});
