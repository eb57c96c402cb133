import { describe, expect, it } from "vitest";
import { auditSearchParams, auditWhere, describeMeta, parseAuditQuery } from "@/lib/audit-filter";

describe("audit filter parsing", () => {
  it("takes the first value of repeated params, trims, and treats empty as unset", () => {
    expect(parseAuditQuery({ actor: [" admin:a ", "x"], action: "", target: "   ", from: "2026-11-01", before: "42" })).toEqual({
      ok: true,
      query: { actor: "admin:a", from: "2026-11-01", before: 42 },
    });
  });

  it.each([
    [{ from: "yesterday" }, "From: expected a date as YYYY-MM-DD"],
    [{ to: "2026-13-45" }, "To: 2026-13-45 is not a calendar date"],
    [{ from: "2026-02-30" }, "From: 2026-02-30 is not a calendar date"],
    [{ from: "2026-11-02", to: "2026-11-01" }, "From: the start date is after the end date"],
    [{ before: "abc" }, "Page: expected a row id"],
    [{ after: "-3" }, "Page: expected a row id"],
    [{ before: "3", after: "9" }, "Page: use either an older or a newer page, not both"],
    [{ actor: "x".repeat(201) }, "Actor: at most 200 characters"],
  ])("refuses %j with a message naming the field", (params, message) => {
    const parsed = parseAuditQuery(params);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it("reads from/to as whole UTC days, the end day included", () => {
    expect(auditWhere({ from: "2026-11-01", to: "2026-11-03" })).toEqual({
      at: { gte: new Date("2026-11-01T00:00:00.000Z"), lt: new Date("2026-11-04T00:00:00.000Z") },
    });
    expect(auditWhere({ actor: "admin:", action: "api_key.create", target: "acme" })).toEqual({
      actor: { contains: "admin:" },
      action: "api_key.create",
      target: { contains: "acme" },
    });
  });

  it("builds links that keep the filter and add one cursor", () => {
    expect(auditSearchParams({ actor: "admin:a&b", action: "auth.login", to: "2026-11-03" }, { before: 7 })).toBe("actor=admin%3Aa%26b&action=auth.login&to=2026-11-03&before=7");
  });

  it("shows stored meta as key/value pairs, and anything unexpected as stored", () => {
    expect(describeMeta('{"name":"ci","scopes":["embed"],"tenant_id":null}')).toEqual([
      { key: "name", value: "ci" },
      { key: "scopes", value: '["embed"]' },
      { key: "tenant_id", value: "null" },
    ]);
    expect(describeMeta("{}")).toEqual([]);
    expect(describeMeta("[1,2]")).toBe("[1,2]");
    expect(describeMeta("not json")).toBe("not json");
  });
});
