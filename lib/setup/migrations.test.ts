import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

describe("metadata migrations", () => {
  it("create every model's table on an empty database and are idempotent", async () => {
    migrateTestDatabase();
    migrateTestDatabase(); // a second start applies nothing and does not fail
    const tables = await getDb().$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    const names = tables.map((t) => t.name);
    for (const model of ["AdminUser", "ApiKey", "AuditLog", "Dashboard", "DashboardVersion", "EmbedSession", "IdempotencyKey", "LoginAttempt", "SavedView", "TenantCutoff"]) {
      expect(names).toContain(model);
    }
    const applied = await getDb().$queryRawUnsafe<{ n: number }[]>("SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    expect(Number(applied[0].n)).toBeGreaterThanOrEqual(1);
  });

  it("keeps dashboard versions unique per dashboard", async () => {
    const db = getDb();
    await db.dashboard.create({ data: { id: "d1", name: "D", draft: "{}", createdBy: "t", updatedBy: "t" } });
    await db.dashboardVersion.create({ data: { id: "v1", dashboardId: "d1", number: 1, definition: "{}", createdBy: "t" } });
    await expect(db.dashboardVersion.create({ data: { id: "v2", dashboardId: "d1", number: 1, definition: "{}", createdBy: "t" } })).rejects.toThrow();
  });
});
