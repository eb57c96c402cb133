import { beforeAll, describe, expect, it } from "vitest";
import { parseAuditQuery, type AuditQuery } from "@/lib/audit-filter";
import { auditBatches, latestAuditId, listAuditActions, searchAudit } from "@/lib/audit-search";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The page's query on a real (migrated, temporary) SQLite database.

const day = (d: string, time = "12:00:00") => new Date(`${d}T${time}.000Z`);

beforeAll(async () => {
  migrateTestDatabase();
  const rows = [
    { at: day("2026-10-31", "23:59:59"), actor: "admin:ann@example.com", action: "auth.login", target: "" },
    { at: day("2026-11-01", "00:00:00"), actor: "admin:ann@example.com", action: "api_key.create", target: "key_1", meta: '{"name":"ci"}' },
    { at: day("2026-11-02"), actor: "apikey:enc_AbCd", action: "embed_session.create", target: "ses_1", meta: '{"tenant_id":"acme"}' },
    { at: day("2026-11-03", "23:59:59"), actor: "admin:bob@example.com", action: "embed_session.revoke_tenant", target: "acme2" },
    { at: day("2026-11-04", "00:00:00"), actor: "anonymous", action: "auth.login_failed", target: "=HYPERLINK(\"http://x\")" },
  ];
  for (const row of rows) await getDb().auditLog.create({ data: row });
  // 25 more, for pagination.
  for (let i = 0; i < 25; i++) await getDb().auditLog.create({ data: { at: day("2026-11-10"), actor: "system", action: "demo_data.load", target: `batch-${i}` } });
});

const query = (params: Record<string, string>): AuditQuery => {
  const parsed = parseAuditQuery(params);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.query;
};
const targets = async (params: Record<string, string>) => (await searchAudit(query(params))).rows.map((r) => r.target);

describe("searchAudit", () => {
  it("filters by actor (contains, ignoring case), exact action and target (contains), with the count", async () => {
    const page = await searchAudit(query({ actor: "ANN@" }));
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => r.action)).toEqual(["api_key.create", "auth.login"]);
    expect(await targets({ action: "embed_session.create" })).toEqual(["ses_1"]);
    expect(await targets({ action: "embed_session" })).toEqual([]); // the action is exact
    expect(await targets({ target: "acme" })).toEqual(["acme2"]); // contains, case-insensitive
    expect(await targets({ actor: "admin:", target: "acme" })).toEqual(["acme2"]);
  });

  it("reads from/to as UTC days, both ends included", async () => {
    expect(await targets({ from: "2026-11-01", to: "2026-11-03" })).toEqual(["acme2", "ses_1", "key_1"]);
    expect(await targets({ to: "2026-10-31" })).toEqual([""]);
    expect((await searchAudit(query({ from: "2026-11-04" }))).total).toBe(26);
  });

  it("pages by id, newest first, older and newer links that round-trip", async () => {
    const first = await searchAudit(query({ action: "demo_data.load" }), 10);
    expect(first.total).toBe(25);
    expect(first.rows.map((r) => r.target)).toEqual(Array.from({ length: 10 }, (_, i) => `batch-${24 - i}`));
    expect(first.newer).toBeUndefined();
    const second = await searchAudit(query({ action: "demo_data.load", before: String(first.older) }), 10);
    expect(second.rows.map((r) => r.target)).toEqual(Array.from({ length: 10 }, (_, i) => `batch-${14 - i}`));
    expect(second.newer).toBe(second.rows[0].id);
    const last = await searchAudit(query({ action: "demo_data.load", before: String(second.older) }), 10);
    expect(last.rows.map((r) => r.target)).toEqual(["batch-4", "batch-3", "batch-2", "batch-1", "batch-0"]);
    expect(last.older).toBeUndefined();
    // "Newer" from the last page gives back the second page, in the same order.
    const back = await searchAudit(query({ action: "demo_data.load", after: String(last.newer) }), 10);
    expect(back.rows.map((r) => r.id)).toEqual(second.rows.map((r) => r.id));
    expect(back).toMatchObject({ older: second.older, newer: second.newer });
    // The filter still applies across pages: no other action slips in.
    expect(back.total).toBe(25);
  });

  it("returns meta as readable pairs", async () => {
    const [row] = (await searchAudit(query({ action: "api_key.create" }))).rows;
    expect(row.details).toEqual([{ key: "name", value: "ci" }]);
  });

  it("lists each recorded action once, sorted, for the action filter", async () => {
    expect(await listAuditActions()).toEqual(["api_key.create", "auth.login", "auth.login_failed", "demo_data.load", "embed_session.create", "embed_session.revoke_tenant"]);
  });

  it("reads an export in bounded batches up to the limit, newest first", async () => {
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const batch of auditBatches({ action: "demo_data.load" }, { upTo: await latestAuditId(), limit: 20, batchSize: 7 })) {
      sizes.push(batch.length);
      seen.push(...batch.map((r) => r.target));
    }
    expect(sizes).toEqual([7, 7, 6]);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `batch-${24 - i}`));
  });
});
