import "server-only";
import { forgetDashboard } from "@/lib/dashboards/load-source";
import { rollupsChanged } from "@/lib/rollups/build";
import crypto from "node:crypto";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DashboardDefinition } from "@/lib/dashboards/definition";

// Drafts: tenant-agnostic definitions that admins edit. Every save carries the
// revision it was based on; a stale save is refused so nothing is silently
// overwritten.

export const DashboardName = z.string().trim().min(1, "give the dashboard a name").max(120);
export const DashboardDescription = z.string().trim().max(500);

export type DashboardSummary = {
  id: string;
  name: string;
  description: string;
  draftRevision: number;
  liveVersion: number | null;
  updatedAt: Date;
  updatedBy: string;
  archivedAt: Date | null;
  widgets: number;
};

export async function listDashboards(options: { search?: string; archived?: boolean } = {}): Promise<DashboardSummary[]> {
  const rows = await getDb().dashboard.findMany({
    where: {
      archivedAt: options.archived ? { not: null } : null,
      ...(options.search ? { name: { contains: options.search } } : {}),
    },
    include: { liveVersion: { select: { number: true } } },
    orderBy: { updatedAt: "desc" },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    draftRevision: r.draftRevision,
    liveVersion: r.liveVersion?.number ?? null,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
    archivedAt: r.archivedAt,
    widgets: (JSON.parse(r.draft).widgets ?? []).length,
  }));
}

export async function getDraft(id: string) {
  const row = await getDb().dashboard.findUnique({ where: { id }, include: { liveVersion: { select: { number: true } } } });
  if (!row) throw new AppError("not_found", `No dashboard has the id "${id}".`);
  return { id: row.id, name: row.name, description: row.description, revision: row.draftRevision, definition: DashboardDefinition.parse(JSON.parse(row.draft)), liveVersion: row.liveVersion?.number ?? null, archivedAt: row.archivedAt, updatedBy: row.updatedBy, updatedAt: row.updatedAt };
}

function newId() {
  return `dash_${crypto.randomBytes(6).toString("hex")}`;
}

export async function createDashboard(input: { name: string; description?: string; actor: string; definition?: unknown; auditAction?: string }): Promise<string> {
  const name = DashboardName.parse(input.name);
  const description = DashboardDescription.parse(input.description ?? "");
  const definition = DashboardDefinition.parse(input.definition ?? { widgets: [] });
  const id = newId();
  await getDb().dashboard.create({ data: { id, name, description, draft: JSON.stringify(definition), timezone: definition.timezone, createdBy: input.actor, updatedBy: input.actor } });
  await recordAudit({ actor: input.actor, action: input.auditAction ?? "dashboard.create", target: id, meta: { name, widgets: definition.widgets.length } });
  return id;
}

export async function duplicateDashboard(id: string, actor: string): Promise<string> {
  const source = await getDraft(id);
  const copy = await createDashboard({ name: `${source.name} (copy)`.slice(0, 120), actor, definition: source.definition });
  await recordAudit({ actor, action: "dashboard.duplicate", target: copy, meta: { from: id } });
  return copy;
}

/** Archived dashboards leave the list and stop serving embeds; their versions are kept. */
export async function setArchived(id: string, archived: boolean, actor: string): Promise<void> {
  await getDraft(id);
  await getDb().dashboard.update({ where: { id }, data: { archivedAt: archived ? new Date() : null, updatedBy: actor } });
  forgetDashboard(id);
  rollupsChanged();
  await recordAudit({ actor, action: archived ? "dashboard.archive" : "dashboard.unarchive", target: id });
}

export type SaveResult = { ok: true; revision: number; savedAt: string } | { ok: false; conflict: true; revision: number; updatedBy: string } | { ok: false; conflict: false; error: string };

/** Saves the draft if nobody saved since `revision`. */
export async function saveDraft(input: { id: string; revision: number; name: string; description?: string; definition: unknown; actor: string }): Promise<SaveResult> {
  const name = DashboardName.safeParse(input.name);
  if (!name.success) return { ok: false, conflict: false, error: `Name: ${name.error.issues[0].message}` };
  const description = DashboardDescription.safeParse(input.description ?? "");
  if (!description.success) return { ok: false, conflict: false, error: `Description: ${description.error.issues[0].message}` };
  const definition = DashboardDefinition.safeParse(input.definition);
  if (!definition.success) {
    const issue = definition.error.issues[0];
    return { ok: false, conflict: false, error: `${issue.path.join(".") || "definition"}: ${issue.message}` };
  }
  const db = getDb();
  const { count } = await db.dashboard.updateMany({
    where: { id: input.id, draftRevision: input.revision },
    data: { name: name.data, ...(input.description === undefined ? {} : { description: description.data }), draft: JSON.stringify(definition.data), timezone: definition.data.timezone, draftRevision: { increment: 1 }, updatedBy: input.actor },
  });
  if (count === 0) {
    const current = await db.dashboard.findUnique({ where: { id: input.id } });
    if (!current) return { ok: false, conflict: false, error: "This dashboard no longer exists." };
    return { ok: false, conflict: true, revision: current.draftRevision, updatedBy: current.updatedBy };
  }
  forgetDashboard(input.id); // the name is the embed's title
  await recordAudit({ actor: input.actor, action: "dashboard.save_draft", target: input.id, meta: { revision: input.revision + 1 } });
  return { ok: true, revision: input.revision + 1, savedAt: new Date().toISOString() };
}
