import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateTestDatabase } from "@/lib/testing/test-db";

beforeAll(() => migrateTestDatabase());

describe("checkHealth", () => {
  afterAll(async () => {
    const { closeAnalytics } = await import("@/lib/analytics/engine");
    await closeAnalytics();
  });

  it("reports both stores ok on the embedded engine", async () => {
    const { getAnalytics } = await import("@/lib/analytics/engine");
    const { ensureAnalyticsSchema } = await import("@/lib/analytics/schema");
    await ensureAnalyticsSchema(getAnalytics());
    const { checkHealth } = await import("@/lib/health");
    const health = await checkHealth();
    expect(health).toMatchObject({ status: "ok", stores: { metadata: { status: "ok", engine: "sqlite" }, analytics: { status: "ok", engine: "chdb" } } });
  });

  it("reports an unreachable ClickHouse server as an error with a reason and without credentials", async () => {
    const { closeAnalytics: closeEmbedded } = await import("@/lib/analytics/engine");
    await closeEmbedded();
    vi.resetModules();
    process.env.CLICKHOUSE_URL = "http://127.0.0.1:9/";
    process.env.CLICKHOUSE_PASSWORD = "hunter2-very-secret";
    try {
      const { checkHealth } = await import("@/lib/health");
      const health = await checkHealth();
      expect(health.status).toBe("degraded");
      expect(health.stores.metadata.status).toBe("ok");
      expect(health.stores.analytics).toMatchObject({ status: "error", engine: "server", error: expect.stringMatching(/ECONNREFUSED|connect/i) });
      expect(JSON.stringify(health)).not.toContain("hunter2");
    } finally {
      delete process.env.CLICKHOUSE_URL;
      delete process.env.CLICKHOUSE_PASSWORD;
      const { closeAnalytics } = await import("@/lib/analytics/engine");
      await closeAnalytics();
    }
  });
});
