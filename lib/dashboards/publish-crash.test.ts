import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { createDashboard } from "@/lib/dashboards/drafts";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { killChildren, startChild, stopChild } from "@/lib/testing/crash-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// A server killed (SIGKILL) at random moments while publishes run through
// POST /v1/dashboards/:id/publish: after each kill the dashboard's live
// version is the newest complete version (the old one or the new one), every
// acknowledged publish is there, version numbers run 1..N without a gap, and
// each version has exactly one publish record in the audit log.

const ROUNDS = 16;
const PUBLISHERS = 4;
const definition = {
  widgets: [
    { kind: "chart", id: "orders", title: "Orders", chart: "kpi", metrics: [{ id: "event_count" }] },
    { kind: "chart", id: "by-country", title: "By country", chart: "bar", metrics: [{ id: "event_count" }], breakdown: "country" },
  ],
};
let dashboardId: string;
let key: string;

beforeAll(async () => {
  migrateTestDatabase();
  key = (await createApiKey({ name: "publisher", scopes: ["admin"] }, "test")).secret;
  dashboardId = await createDashboard({ name: "Published under fire", actor: "test", definition });
  await publishVersion({ dashboardId, actor: "test" });
});
afterAll(() => killChildren());

async function expectWholeVersions(acknowledged: Set<number>, context: string): Promise<number> {
  const db = getDb();
  const dashboard = await db.dashboard.findUniqueOrThrow({ where: { id: dashboardId }, include: { liveVersion: true } });
  const versions = await db.dashboardVersion.findMany({ where: { dashboardId }, orderBy: { number: "asc" } });
  const numbers = versions.map((v) => v.number);
  expect(numbers, `${context}: numbers run 1..N`).toEqual(numbers.map((_, i) => i + 1));
  const expected = DashboardDefinition.parse(definition);
  for (const v of versions) expect(DashboardDefinition.parse(JSON.parse(v.definition)), `${context}: version ${v.number} is complete`).toEqual(expected);
  expect(dashboard.liveVersion?.number, `${context}: the live version is the newest`).toBe(numbers.at(-1));
  for (const n of acknowledged) expect(numbers, `${context}: acknowledged publish ${n}`).toContain(n);
  const audits = await db.auditLog.findMany({ where: { action: "dashboard.publish", target: dashboardId } });
  const recorded = audits.map((a) => (JSON.parse(a.meta) as { version: number }).version).sort((a, b) => a - b);
  expect(recorded, `${context}: one publish record per version, none for a version that is not there`).toEqual(numbers);
  return numbers.length;
}

describe("a server killed during publishes", () => {
  it("leaves the old live version or the new one, never a part of one", async () => {
    const acknowledged = new Set<number>();
    let versions = 1;
    // No analytics engine in these children, so the next one can start while this one works (SQLite is shared).
    const start = () => {
      const started = startChild({ env: { CHILD_ANALYTICS: "0" } });
      started.catch(() => {}); // awaited in its round; one still starting when a round fails is killed in afterAll
      return started;
    };
    let next = start();
    for (let round = 0; round < ROUNDS; round++) {
      const child = await next;
      next = start();
      let stopped = false;
      // Admins publishing back to back, so the kill finds publishes at every stage.
      const publishers = Array.from({ length: PUBLISHERS }, async () => {
        while (!stopped) {
          try {
            const res = await fetch(`${child.baseUrl}/v1/dashboards/${dashboardId}/publish`, {
              method: "POST",
              headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
              body: JSON.stringify({ note: `round ${round}` }),
            });
            const body = (await res.json()) as { number?: number; error?: { message: string } };
            if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${body.error?.message}`);
            acknowledged.add(body.number!);
          } catch (err) {
            if (stopped) return; // cut off by the kill: not acknowledged
            throw err;
          }
        }
      });
      // Killed at a random moment: a process's first publish is slow (each statement is prepared
      // on first use), its later ones quick, so the moments cover both.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2200));
      stopped = true;
      child.signal("SIGKILL");
      expect((await child.exited).signal).toBe("SIGKILL");
      await Promise.all(publishers);
      versions = await expectWholeVersions(acknowledged, `after kill ${round + 1}`);
    }
    await stopChild(await next, "SIGKILL");
    console.log(`${ROUNDS} kills, ${versions} versions, ${acknowledged.size} publishes acknowledged`);
    expect(acknowledged.size, "publishes were acknowledged between the kills").toBeGreaterThanOrEqual(ROUNDS / 2);
  }, 120_000);
});
