import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { createDashboard, duplicateDashboard, getDraft, listDashboards, saveDraft, setArchived } from "@/lib/dashboards/drafts";
import { migrateTestDatabase } from "@/lib/testing/test-db";

beforeAll(() => migrateTestDatabase());

const kpi = { kind: "chart", id: "w1", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] };

describe("drafts", () => {
  it("saves with the revision it was based on and refuses a stale save, keeping the stored draft", async () => {
    const id = await createDashboard({ name: "Ops", actor: "admin:a@b.co" });
    const first = await saveDraft({ id, revision: 1, name: "Ops", definition: { widgets: [kpi] }, actor: "admin:a@b.co" });
    expect(first).toMatchObject({ ok: true, revision: 2 });
    const stale = await saveDraft({ id, revision: 1, name: "Ops (B)", definition: { widgets: [] }, actor: "admin:b@b.co" });
    expect(stale).toEqual({ ok: false, conflict: true, revision: 2, updatedBy: "admin:a@b.co" });
    const draft = await getDraft(id);
    expect(draft.name).toBe("Ops");
    expect(draft.definition.widgets.map((w) => w.id)).toEqual(["w1"]);
  });

  it("refuses invalid drafts with the reason and changes nothing", async () => {
    const id = await createDashboard({ name: "Bad", actor: "t" });
    const res = await saveDraft({ id, revision: 1, name: "Bad", definition: { widgets: [{ ...kpi, chart: "bar", breakdown: "tenant_id" }] }, actor: "t" });
    expect(res).toMatchObject({ ok: false, conflict: false, error: expect.stringContaining("tenant column") });
    expect((await getDraft(id)).revision).toBe(1);
    expect(await saveDraft({ id, revision: 1, name: " ", definition: { widgets: [] }, actor: "t" })).toMatchObject({ ok: false, error: expect.stringContaining("name") });
  });

  it("duplicates, archives (versions kept) and lists by search", async () => {
    const id = await createDashboard({ name: "Revenue board", actor: "t", definition: { widgets: [kpi] } });
    const copy = await duplicateDashboard(id, "t");
    expect((await getDraft(copy)).name).toBe("Revenue board (copy)");
    await getDb().dashboardVersion.create({ data: { id: "v_keep", dashboardId: id, number: 1, definition: "{}", createdBy: "t" } });
    await setArchived(id, true, "t");
    expect((await listDashboards({ search: "Revenue" })).map((d) => d.name)).toEqual(["Revenue board (copy)"]);
    expect((await listDashboards({ archived: true })).map((d) => d.id)).toContain(id);
    expect(await getDb().dashboardVersion.count({ where: { dashboardId: id } })).toBe(1);
    const actions = (await getDb().auditLog.findMany({ where: { target: { in: [id, copy] } } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["dashboard.create", "dashboard.duplicate", "dashboard.archive"]));
  });
});
