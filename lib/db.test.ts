import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The metadata store has one SQLite connection. A write of another request
// made while an interactive transaction is open must not become part of it:
// acknowledged, then rolled back with a publish that failed, it would be lost.

beforeAll(() => migrateTestDatabase());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function actions(actor: string): Promise<string[]> {
  const rows = await getDb().auditLog.findMany({ where: { actor }, orderBy: { id: "asc" }, select: { action: true } });
  return rows.map((r) => r.action);
}

describe("the metadata store's connection", () => {
  it("keeps a write made beside a transaction that rolls back", async () => {
    const db = getDb();
    const failed = db
      .$transaction(async (tx) => {
        await tx.auditLog.create({ data: { actor: "gate-a", action: "inside" } });
        await sleep(150);
        throw new Error("publish failed");
      })
      .catch((err: Error) => err.message);
    await sleep(30);
    // Another request's write, answered while the transaction is still open.
    await db.auditLog.create({ data: { actor: "gate-a", action: "beside" } });
    expect(await failed).toBe("publish failed");
    expect(await actions("gate-a")).toEqual(["beside"]);
  });

  it("keeps writes issued just before and just after a transaction that rolls back, and none of its own", async () => {
    const db = getDb();
    const before = db.auditLog.create({ data: { actor: "gate-b", action: "before" } });
    const tx = db
      .$transaction(async (t) => {
        await t.auditLog.create({ data: { actor: "gate-b", action: "tx" } });
        await sleep(50);
        throw new Error("rolled back");
      })
      .catch((err: Error) => err.message);
    const after = db.auditLog.create({ data: { actor: "gate-b", action: "after" } });
    await Promise.all([before, tx, after]);
    expect(await tx).toBe("rolled back");
    expect((await actions("gate-b")).sort()).toEqual(["after", "before"]);
  });

  it("does not wait on itself: the process's client used inside a transaction, and transactions one after another", async () => {
    const db = getDb();
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        db.$transaction(async (tx) => {
          await tx.auditLog.create({ data: { actor: "gate-c", action: `tx${n}` } });
          return getDb().auditLog.count({ where: { actor: "gate-c" } });
        }),
      ),
    );
    expect(results).toEqual([1, 2, 3]);
  });

  it("refuses the batch form, which could not hold the connection alone", () => {
    expect(() => getDb().$transaction([getDb().auditLog.count()])).toThrow(/callback form/);
  });
});
