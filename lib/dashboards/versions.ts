import "server-only";
import { forgetDashboard } from "@/lib/dashboards/load-source";
import { rollupsChanged } from "@/lib/rollups/build";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DashboardDefinition } from "@/lib/dashboards/definition";

// Published versions are immutable; rollback only moves the live pointer.

export type VersionSummary = { id: string; number: number; note: string; createdBy: string; createdAt: Date; live: boolean };

export async function listVersions(dashboardId: string): Promise<VersionSummary[]> {
  const db = getDb();
  const dashboard = await db.dashboard.findUnique({ where: { id: dashboardId } });
  if (!dashboard) throw new AppError("not_found", `No dashboard has the id "${dashboardId}".`);
  const rows = await db.dashboardVersion.findMany({ where: { dashboardId }, orderBy: { number: "desc" } });
  return rows.map((r) => ({ id: r.id, number: r.number, note: r.note, createdBy: r.createdBy, createdAt: r.createdAt, live: r.id === dashboard.liveVersionId }));
}

export async function getVersionDefinition(dashboardId: string, number: number): Promise<DashboardDefinition> {
  const row = await getDb().dashboardVersion.findUnique({ where: { dashboardId_number: { dashboardId, number } } });
  if (!row) throw new AppError("not_found", `Dashboard "${dashboardId}" has no version ${number}.`);
  return DashboardDefinition.parse(JSON.parse(row.definition));
}

/** Makes version `number` live again. Nothing is deleted; embeds show it on their next load. */
export async function rollbackTo(input: { dashboardId: string; number: number; actor: string }): Promise<VersionSummary> {
  const db = getDb();
  const version = await db.dashboardVersion.findUnique({ where: { dashboardId_number: { dashboardId: input.dashboardId, number: input.number } } });
  if (!version) throw new AppError("not_found", `Dashboard "${input.dashboardId}" has no version ${input.number}.`);
  const dashboard = await db.dashboard.findUniqueOrThrow({ where: { id: input.dashboardId }, include: { liveVersion: true } });
  // The pointer and its audit record commit together.
  await db.$transaction(async (tx) => {
    await tx.dashboard.update({ where: { id: input.dashboardId }, data: { liveVersionId: version.id } });
    await recordAudit({ actor: input.actor, action: "dashboard.rollback", target: input.dashboardId, meta: { from: dashboard.liveVersion?.number ?? null, to: version.number } }, tx);
  });
  forgetDashboard(input.dashboardId);
  rollupsChanged(); // a dropped rollup is rebuilt; events answer until it is ready
  // Cached results are keyed by version id, so nothing cached can answer for the new live version.
  return { id: version.id, number: version.number, note: version.note, createdBy: version.createdBy, createdAt: version.createdAt, live: true };
}
