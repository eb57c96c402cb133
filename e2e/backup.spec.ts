import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { enclaveCli } from "./fixtures/helpers";

// Against the production server (npm start): the CLI's backup goes through the
// server's operator route, which nothing but the operator token opens; the
// backup restores into an empty directory elsewhere.

const root = path.resolve(__dirname, "..");

test("npm run enclave -- backup goes through the running server and restores into an empty directory", async ({ request }) => {
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-e2e-backup-"));
  try {
    const before = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e before backup", "--scopes", "ingest", "--json"])).id;
    const manifest = JSON.parse(enclaveCli(["backup", "--to", path.join(dir, "b"), "--url", E2E.baseUrl, "--json"]));
    expect(manifest).toMatchObject({ format: "enclave-backup/1", secrets: "included" });
    expect(manifest.events).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(dir, "b")).sort()).toEqual(["app.db", "events.native.zst", "manifest.json", "secrets.json"]);

    // An admin API key does not open the operator route, nor does no credential; a GET is not served.
    const admin = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e backup", "--scopes", "admin", "--json"])).secret;
    const credentials: Record<string, string>[] = [{ authorization: `Bearer ${admin}` }, {}];
    for (const headers of credentials) {
      const refused = await request.post("/api/operator/backup", { headers, data: { to: path.join(dir, "c") } });
      expect(refused.status()).toBe(401);
      expect((await refused.json()).error.code).toBe("unauthenticated");
    }
    expect((await request.get("/api/operator/backup")).status()).toBe(405);
    expect(fs.existsSync(path.join(dir, "c"))).toBe(false);

    const restored = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/enclave.ts", "restore", "--from", path.join(dir, "b"), "--json"], {
      cwd: root,
      env: { ...process.env, DATA_DIR: path.join(dir, "restored"), ERASURE_LEDGER: path.join(E2E.dataDir, "..", "e2e.erasures.jsonl") },
      encoding: "utf8",
    });
    expect(restored.stderr).toBe("");
    expect(JSON.parse(restored.stdout)).toMatchObject({ events: manifest.events, data_dir: path.join(dir, "restored") });
    const keys = (dataDir: string) => execFileSync(process.execPath, ["scripts/run-ts.mjs", "scripts/enclave.ts", "keys", "list", "--json"], { cwd: root, env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" });
    const ids = (json: string) => (JSON.parse(json) as { id: string }[]).map((k) => k.id);
    // Every key the restored install has is one of the server's: the key made before the backup, not the one made after.
    const restoredIds = ids(keys(path.join(dir, "restored")));
    const serverKeys = JSON.parse(keys(E2E.dataDir)) as { id: string; name: string }[];
    expect(restoredIds).toContain(before);
    expect(serverKeys.map((k) => k.id)).toEqual(expect.arrayContaining(restoredIds));
    expect(restoredIds).not.toContain(serverKeys.find((k) => k.name === "e2e backup")!.id);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
