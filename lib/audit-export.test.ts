import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_EXPORT_LIMIT, exportAuditCsv } from "@/lib/audit-export";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

beforeAll(async () => {
  migrateTestDatabase();
  const db = getDb();
  await db.auditLog.create({ data: { actor: "admin:ann@example.com", action: "api_key.create", target: "key_1", meta: '{"name":"ci, \\"prod\\""}' } });
  // What a signed-out visitor typed as an email lands in actor/target of a failed login.
  await db.auditLog.create({ data: { actor: "anonymous", action: "auth.login_failed", target: '=HYPERLINK("http://evil.example","x")', meta: '{"ip":"-1"}' } });
  await db.auditLog.create({ data: { actor: "anonymous", action: "auth.login_failed", target: "@SUM(1+1)" } });
  for (let i = 0; i < 30; i++) await db.auditLog.create({ data: { actor: "system", action: "demo_data.load", target: `batch-${i}` } });
});

const read = async (body: ReadableStream<Uint8Array>) => (await new Response(body).text()).split("\r\n").slice(0, -1);

describe("exportAuditCsv", () => {
  it("writes RFC 4180 CSV of the filter, newest first, with formulas neutralised", async () => {
    const csv = await exportAuditCsv({ filter: { action: "auth.login_failed" }, actor: "admin:ann@example.com", now: new Date("2026-11-23T10:20:30Z") });
    expect(csv).toMatchObject({ rows: 2, total: 2, truncated: false, filename: "enclave-audit-20261123-102030.csv" });
    const lines = await read(csv.body);
    expect(lines[0]).toBe("id,time_utc,actor,action,target,details");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,anonymous,auth\.login_failed,'@SUM\(1\+1\),\{\}$/);
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")","{""ip"":""-1""}"`);
  });

  it("quotes commas and quotes inside meta", async () => {
    const lines = await read((await exportAuditCsv({ filter: { action: "api_key.create" }, actor: "t" })).body);
    expect(lines[1]).toMatch(/,admin:ann@example\.com,api_key\.create,key_1,"\{""name"":""ci, \\""prod\\""""\}"$/);
  });

  it("stops at the limit and says it was truncated", async () => {
    const csv = await exportAuditCsv({ filter: { action: "demo_data.load" }, actor: "t", limit: 25 });
    expect(csv).toMatchObject({ rows: 25, total: 30, truncated: true });
    const lines = await read(csv.body);
    expect(lines).toHaveLength(26);
    expect(lines[1]).toContain(",batch-29,");
    expect(lines[25]).toContain(",batch-5,");
    expect(AUDIT_EXPORT_LIMIT).toBe(100_000);
  });

  it("is audited with who exported which filter, and holds only rows that existed when it started", async () => {
    const csv = await exportAuditCsv({ filter: { actor: "anonymous" }, actor: "admin:bob@example.com" });
    await getDb().auditLog.create({ data: { actor: "anonymous", action: "auth.login_failed", target: "later" } });
    const lines = await read(csv.body);
    expect(lines).toHaveLength(1 + csv.rows);
    expect(lines.join("\n")).not.toContain("later");
    const record = await getDb().auditLog.findFirst({ where: { action: "audit.export", actor: "admin:bob@example.com" } });
    expect(JSON.parse(record!.meta)).toEqual({ filter: { actor: "anonymous" }, rows: 2, truncated: false });
  });
});
