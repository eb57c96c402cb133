import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { readOrCreateOperatorToken } from "@/lib/backup/operator-token";
import { specFromFlags, type ImportFormat } from "@/lib/import/import-spec";
import { killChildren, startChild } from "@/lib/testing/crash-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { runImport } from "@/scripts/import/run-import";
import { serverTarget } from "@/scripts/import/targets";

// The server (it owns the store) is killed with SIGKILL while the CLI streams
// a file to it, one chunk done and the next in flight; the CLI is run again on
// the restarted server: every row is stored exactly once.

const CHUNK = 100_000;
const ROWS = Math.round(CHUNK * 3.5);
const dir = path.join(process.env.DATA_DIR!, "files");

function write(format: ImportFormat): string {
  const file = path.join(dir, `crash.${format}`);
  const lines = format === "csv" ? ["tenant_id,name,ts,event_id"] : [];
  for (let i = 0; i < ROWS; i++) {
    const tenant = i % 2 ? "acme" : "acme2";
    const ts = `2025-07-0${1 + (i % 9)}T00:00:00Z`;
    lines.push(format === "csv" ? `${tenant},crash_${format},${ts},${format}${i}` : JSON.stringify({ tenant_id: tenant, name: `crash_${format}`, ts, event_id: `${format}${i}` }));
  }
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

beforeAll(() => {
  migrateTestDatabase();
  fs.mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  await killChildren();
  await closeAnalytics();
});

describe("a server killed during an import", () => {
  for (const format of ["csv", "ndjson"] as const) {
    it(`stores every row of a ${format} file exactly once after a re-run`, async () => {
      const file = write(format);
      const spec = specFromFlags({ format, chunkRows: CHUNK });
      let child = await startChild();
      const token = readOrCreateOperatorToken();
      let killed = false;
      const first = runImport({
        file,
        spec,
        target: serverTarget(new URL(child.baseUrl), token),
        progress: (_line, done) => {
          // The first chunk is acknowledged; the second is being checked or inserted.
          if (!done && !killed) {
            killed = true;
            setTimeout(() => child.signal("SIGKILL"), 300);
          }
        },
      });
      await expect(first).rejects.toThrow();
      await child.exited;
      child = await startChild();
      const second = await runImport({ file, spec, target: serverTarget(new URL(child.baseUrl), token) });
      expect(second.rows).toBe(ROWS);
      expect(second.chunks_already_imported).toBeGreaterThanOrEqual(1);
      child.signal("SIGKILL");
      await child.exited;
      const [r] = await queryRows<{ n: number; ids: number }>(getAnalytics(), `SELECT count() AS n, uniqExact(event_id) AS ids FROM enclave.events WHERE name = 'crash_${format}'`);
      await closeAnalytics();
      expect({ n: Number(r.n), ids: Number(r.ids) }).toEqual({ n: ROWS, ids: ROWS });
    }, 600_000);
  }
});
