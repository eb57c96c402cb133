import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { getDraft } from "@/lib/dashboards/drafts";
import { getVersionDefinition, listVersions } from "@/lib/dashboards/versions";
import type { DashboardSource } from "@/lib/query/run-dashboard";

// A published version, loaded once per render. Versions never change, so a
// parsed definition is kept by version id; which version is live is read
// from the database on each request (a publish or rollback shows at once).

export type LiveDashboard = DashboardSource & { name: string; versionNumber: number };

const MAX_DEFINITIONS = 500;
// On globalThis: route handlers and pages are bundled separately but share the process.
const shared = globalThis as unknown as { enclaveDefinitions?: Map<string, { definition: DashboardDefinition; number: number }> };
const definitions = (shared.enclaveDefinitions ??= new Map());

async function loadVersion(versionId: string, dashboardId: string): Promise<{ definition: DashboardDefinition; number: number }> {
  const cached = definitions.get(versionId);
  if (cached) return cached;
  const version = await getDb().dashboardVersion.findUnique({ where: { id: versionId } });
  if (!version || version.dashboardId !== dashboardId) throw new AppError("not_found", "This dashboard is not available.");
  const loaded = { definition: DashboardDefinition.parse(JSON.parse(version.definition)), number: version.number };
  if (definitions.size >= MAX_DEFINITIONS) definitions.delete(definitions.keys().next().value!);
  definitions.set(versionId, loaded);
  return loaded;
}

// Which version is live, and the dashboard's name, change only through this process
// (publish, rollback, archive, a renamed draft): each clears its entry here. The
// entry also lives at most 2 s, so nothing stale outlasts a missed case by more.
// A read that started before a change must not cache what it read: changes are
// counted, and a read caches only if none happened meanwhile (they are rare).
const DASHBOARD_MS = 2_000;
type DashboardRow = { name: string; liveVersionId: string | null; archivedAt: Date | null };
const dashboards = ((globalThis as unknown as { enclaveDashboardRows?: { rows: Map<string, { at: number; row: DashboardRow | null }>; changes: number } }).enclaveDashboardRows ??= {
  rows: new Map(),
  changes: 0,
});

async function dashboardRow(id: string): Promise<DashboardRow | null> {
  const hit = dashboards.rows.get(id);
  if (hit && Date.now() - hit.at < DASHBOARD_MS) return hit.row;
  const before = dashboards.changes;
  const row = await getDb().dashboard.findUnique({ where: { id }, select: { name: true, liveVersionId: true, archivedAt: true } });
  if (dashboards.changes !== before) return row;
  if (dashboards.rows.size > 1000) dashboards.rows.clear();
  dashboards.rows.set(id, { at: Date.now(), row });
  return row;
}

/** Called by whatever changes a dashboard's live version, archive state or name, after the change is committed. */
export function forgetDashboard(id: string): void {
  dashboards.changes++;
  dashboards.rows.delete(id);
}

/**
 * The dashboard's live version, or `versionId` if the dashboard is still
 * published (a data token names the version its page rendered). Unpublished or
 * archived dashboards serve nothing, whatever a token names.
 */
export async function loadPublishedSource(dashboardId: string, versionId?: string): Promise<LiveDashboard> {
  const dashboard = await dashboardRow(dashboardId);
  const id = versionId ?? dashboard?.liveVersionId;
  if (!dashboard || dashboard.archivedAt || !dashboard.liveVersionId || !id) throw new AppError("not_found", "This dashboard is not available.");
  const { definition, number } = await loadVersion(id, dashboardId);
  return { dashboardId, versionKey: id, definition, versionNumber: number, name: dashboard.name };
}

export type PreviewShow = "draft" | "live" | number;

/** What the admin preview shows: the draft, the live version or any version, with a label for the banner. */
export async function loadPreviewSource(dashboardId: string, show: PreviewShow): Promise<DashboardSource & { name: string; label: string }> {
  const draft = await getDraft(dashboardId);
  if (show === "draft") return { dashboardId, versionKey: `draft:${draft.revision}`, definition: draft.definition, name: draft.name, label: "draft" };
  const versions = await listVersions(dashboardId);
  const version = show === "live" ? versions.find((v) => v.live) : versions.find((v) => v.number === show);
  if (!version) throw new AppError("not_found", show === "live" ? "This dashboard has no live version yet." : `There is no version ${show}.`);
  return {
    dashboardId,
    versionKey: version.id,
    definition: await getVersionDefinition(dashboardId, version.number),
    name: draft.name,
    label: show === "live" ? `live (v${version.number})` : `version ${version.number}`,
  };
}
