import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupStartTime, beginErasure, ensureErasureLedger, readLedger, recordInLedger } from "@/lib/backup/erasure-ledger";

// The ledger is what makes an erasure outlive a restore: it must refuse to
// lose an entry, refuse to read a damaged one, and date a backup that starts
// during an erasure no later than that erasure.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-ledger-"));
const at = "2026-11-30T10:00:00.000Z";

describe("the erasure ledger", () => {
  it("appends entries with mode 600 and reads them back; a missing ledger reads as undefined, an empty one as none", () => {
    const file = path.join(dir, "a.jsonl");
    expect(readLedger(file)).toBeUndefined();
    ensureErasureLedger(file);
    expect(readLedger(file)).toEqual([]);
    recordInLedger({ kind: "tenant_erasure", tenant_id: "acme", at }, file);
    recordInLedger({ kind: "api_key_revocation", key_id: "key_1", at }, file);
    expect(readLedger(file)).toEqual([
      { kind: "tenant_erasure", tenant_id: "acme", at },
      { kind: "api_key_revocation", key_id: "key_1", at },
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses an entry it cannot write, and a bad tenant id, with a message", () => {
    expect(() => recordInLedger({ kind: "tenant_erasure", tenant_id: "acme", at }, dir)).toThrow(/could not be recorded in the erasure ledger .* so nothing was changed/);
    expect(() => recordInLedger({ kind: "tenant_erasure", tenant_id: "../etc", at }, path.join(dir, "b.jsonl"))).toThrow();
    expect(fs.existsSync(path.join(dir, "b.jsonl"))).toBe(false);
  });

  it("stops at a damaged line instead of skipping it", () => {
    const file = path.join(dir, "c.jsonl");
    fs.writeFileSync(file, `${JSON.stringify({ kind: "tenant_erasure", tenant_id: "acme", at })}\n{"kind":"tenant_erasure","tenant_id":"glo\n`);
    expect(() => readLedger(file)).toThrow(/Line 2 of the erasure ledger .* is not a valid entry/);
  });

  it("dates a backup that starts during an erasure no later than the erasure's entry", async () => {
    const finished = beginErasure("acme");
    const entry = Date.parse(readLedger()!.at(-1)!.at);
    await new Promise((r) => setTimeout(r, 20));
    expect(backupStartTime().getTime()).toBe(entry);
    finished();
    expect(backupStartTime().getTime()).toBeGreaterThanOrEqual(entry + 20);
  });
});
