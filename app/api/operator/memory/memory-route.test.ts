import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { readOrCreateOperatorToken } from "@/lib/backup/operator-token";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { GET } from "./route";

// The operator's memory view: the operator token opens it, nothing else does,
// and it names the parts the soak needs to tell a JavaScript leak from the engine's.

const call = (authorization?: string, query = "") => GET(new Request(`http://test/api/operator/memory${query}`, { headers: authorization ? { authorization } : {} }));

let adminKey: string;
beforeAll(async () => {
  migrateTestDatabase();
  adminKey = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
});
afterAll(() => closeAnalytics());

describe("GET /api/operator/memory", () => {
  it("refuses a missing token, an admin API key and a wrong token with a JSON 401", async () => {
    for (const auth of [undefined, `Bearer ${adminKey}`, `Bearer ${"x".repeat(43)}`]) {
      const res = await call(auth);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthenticated");
    }
  });

  it("reports the process, the engine and the caches to the operator token", async () => {
    const res = await call(`Bearer ${readOrCreateOperatorToken()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body.process_mb.rss).toBeGreaterThan(body.process_mb.heap_used);
    expect(body.process_mb.heap_used).toBeGreaterThan(0);
    expect(body.engine_mb.MemoryTracking).toBeGreaterThan(0);
    expect(body.caches).toEqual({ results: expect.any(Number), sessions: expect.any(Number) });
    expect(body.collected).toBe(false);
  });

  it("collects garbage first when asked and the process allows it, and says whether it did", async () => {
    const token = `Bearer ${readOrCreateOperatorToken()}`;
    const held = globalThis as { gc?: () => void };
    const before = held.gc;
    let runs = 0;
    try {
      delete held.gc;
      expect((await (await call(token, "?collect=1")).json()).collected).toBe(false);
      held.gc = () => void runs++;
      expect((await (await call(token, "?collect=1")).json()).collected).toBe(true);
      expect((await (await call(token, "?collect=0")).json()).collected).toBe(false);
      expect(runs).toBe(1);
    } finally {
      if (before) held.gc = before;
      else delete held.gc;
    }
    const bad = await call(token, "?collect=yes");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "validation_failed", message: expect.stringContaining("collect must be") });
  });
});
