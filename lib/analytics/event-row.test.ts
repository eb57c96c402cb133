import { describe, expect, it } from "vitest";
import { toEventRow } from "@/lib/analytics/event-row";

const ok = (input: unknown) => {
  const row = toEventRow(input, 0);
  if ("code" in row) throw new Error(row.message);
  return row;
};
const bad = (input: unknown) => {
  const row = toEventRow(input, 3);
  if (!("code" in row)) throw new Error("expected a rejection");
  return row;
};

describe("toEventRow", () => {
  it("fills defaults: generated event id, now, NULL value and user", () => {
    const row = ok({ tenant_id: "acme", name: "signup" });
    expect(row.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.value).toBeNull();
    expect(row.user_id).toBeNull();
    expect(Math.abs(Date.parse(row.ts + "Z") - Date.now())).toBeLessThan(5_000);
  });

  it("accepts ISO-8601 and epoch milliseconds, and flattens properties to strings", () => {
    expect(ok({ tenant_id: "a", name: "x", ts: "2026-01-02T03:04:05.678+02:00" }).ts).toBe("2026-01-02 01:04:05.678");
    expect(ok({ tenant_id: "a", name: "x", ts: 1767225600000 }).ts).toBe("2026-01-01 00:00:00.000");
    expect(ok({ tenant_id: "a", name: "x", properties: { n: 3, b: true, s: "y" } }).properties).toEqual({ n: "3", b: "true", s: "y" });
    expect(ok({ tenant_id: "a", name: "x", properties: { plan: { tier: "pro", seats: 5 }, tags: ["a", "b"], gone: null } }).properties).toEqual({ "plan.tier": "pro", "plan.seats": "5", tags: '["a","b"]' });
  });

  it("rejects each kind of bad row with its index and a message naming the field", () => {
    expect(bad({ tenant_id: "bad id", name: "x" })).toMatchObject({ index: 3, code: "invalid_event", message: expect.stringMatching(/^tenant_id: /) });
    expect(bad({ tenant_id: "a'; DROP TABLE events", name: "x" }).message).toMatch(/^tenant_id/);
    expect(bad({ tenant_id: "a", name: "  " }).message).toMatch(/^name: expected a non-empty event name/);
    expect(bad({ tenant_id: "a", name: "x", value: "12" }).message).toMatch(/^value/);
    expect(bad({ tenant_id: "a", name: "x", ts: "2026-01-01" }).message).toMatch(/^ts: expected an ISO-8601 time with a zone/);
    expect(bad({ tenant_id: "a", name: "x", ts: Date.now() + 3 * 86_400_000 }).message).toMatch(/^ts/);
    expect(bad({ tenant_id: "a", name: "x", properties: { a: { b: { c: { d: { e: { f: 1 } } } } } } }).message).toMatch(/^properties.a.b.c.d.e: expected at most 5 levels/);
    expect(bad({ tenant_id: "a", name: "x", properties: { long: "x".repeat(1001) } }).message).toMatch(/^properties.long: expected at most 1000 characters \(got 1001\)/);
    expect(bad({ tenant_id: "a", name: "x", properties: { ["k".repeat(101)]: "v" } }).message).toMatch(/^properties.kkk.*: expected a key of 1 to 100/);
    expect(bad({ tenant_id: "a", name: "x", properties: ["a"] }).message).toMatch(/^properties/);
    expect(bad({ tenant_id: "a", name: "x", extra: 1 }).message).toMatch(/extra/);
    expect(bad(null).message).toBeTruthy();
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(bad({ tenant_id: "a", name: "x", properties: many }).message).toMatch(/at most 50 properties after flattening \(got 51\)/);
    const wide = { group: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) };
    expect(bad({ tenant_id: "a", name: "x", properties: wide }).message).toMatch(/at most 50 properties after flattening/);
  });
});
