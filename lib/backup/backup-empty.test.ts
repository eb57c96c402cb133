import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, migrateDir } from "@/lib/testing/backup-harness";

// A new install, no events yet (DEMO_EVENTS=0): its backup holds an events
// file without a single row, and restores to an install without events.

const root = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-empty-backup-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("an install without events", () => {
  it("is backed up (by the CLI, no server running) and restored", { timeout: 90_000 }, async () => {
    const install = path.join(root, "install");
    migrateDir(install);
    const backup = await cli(["backup", "--to", path.join(root, "b"), "--url", "http://127.0.0.1:1", "--json"], { DATA_DIR: install });
    expect([backup.code, backup.err]).toEqual([0, ""]);
    expect(JSON.parse(backup.out)).toMatchObject({ events: 0, secrets: "included" });
    const restored = await cli(["restore", "--from", path.join(root, "b"), "--json"], { DATA_DIR: path.join(root, "restored"), ERASURE_LEDGER: path.join(root, "install.erasures.jsonl") });
    expect([restored.code, restored.err]).toEqual([0, ""]);
    expect(JSON.parse(restored.out)).toMatchObject({ events: 0, erasures_reapplied: [], revocations_reapplied: 0 });
    expect(fs.readdirSync(path.join(root, "restored")).sort()).toEqual(expect.arrayContaining(["app.db", "clickhouse", "secrets.json"]));
  });
});
