import "server-only";
import { forgetDashboard } from "@/lib/dashboards/load-source";
import { rollupsChanged } from "@/lib/rollups/build";
import crypto from "node:crypto";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { compileWidget } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import { scopeForValidation } from "@/lib/query/scope";

// The one way to publish: the draft is validated (schema, every chart widget
// compiles, every custom SQL passes the guard again), copied into an
// immutable DashboardVersion, and the dashboard's live pointer moves to it.
// The version row, the pointer and the audit record commit in one SQLite
// transaction: a process killed at any point leaves the old live version or
// the new one with its record, never a part. The rollup a version needs is not
// part of it: it is derived from the live versions and reconciled at start.

export type PublishResult = { versionId: string; number: number };

/** Checks a definition as publish would; throws naming the widget and the reason. */
export async function validateForPublish(raw: unknown): Promise<DashboardDefinition> {
  const parsed = DashboardDefinition.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("validation_failed", `The draft is not valid: ${issue.path.join(".") || "definition"}: ${issue.message}`);
  }
  const scope = scopeForValidation();
  for (const widget of parsed.data.widgets) {
    if (widget.kind === "chart") {
      try {
        compileWidget(widget, scope, { timezone: parsed.data.timezone });
      } catch (err) {
        throw new AppError("validation_failed", `Widget "${widget.title}" (${widget.id}) does not compile: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else {
      const verdict = await guardSql(widget.sql);
      if (!verdict.ok) throw new AppError("validation_failed", `Widget "${widget.title}" (${widget.id}): the SQL was rejected: ${verdict.reason}`);
    }
  }
  return parsed.data;
}

/** `draftRevision`, when given, must still be the draft's revision: publish exactly what the caller last saw. */
export async function publishVersion(input: { dashboardId: string; note?: string; draftRevision?: number; actor: string }): Promise<PublishResult> {
  const db = getDb();
  const dashboard = await db.dashboard.findUnique({ where: { id: input.dashboardId } });
  if (!dashboard || dashboard.archivedAt) throw new AppError("not_found", `No dashboard has the id "${input.dashboardId}".`);
  if (input.draftRevision !== undefined && input.draftRevision !== dashboard.draftRevision) {
    throw new AppError("conflict", `The draft changed since version ${input.draftRevision} (it is now at ${dashboard.draftRevision}, saved by ${dashboard.updatedBy}). Fetch it again and publish that.`, { draft_version: dashboard.draftRevision, updated_by: dashboard.updatedBy });
  }
  const definition = await validateForPublish(JSON.parse(dashboard.draft));
  const result = await db.$transaction(async (tx) => {
    const last = await tx.dashboardVersion.findFirst({ where: { dashboardId: dashboard.id }, orderBy: { number: "desc" } });
    const number = (last?.number ?? 0) + 1;
    const version = await tx.dashboardVersion.create({
      data: { id: `ver_${crypto.randomBytes(8).toString("hex")}`, dashboardId: dashboard.id, number, definition: JSON.stringify(definition), note: input.note ?? "", createdBy: input.actor },
    });
    await tx.dashboard.update({ where: { id: dashboard.id }, data: { liveVersionId: version.id } });
    await recordAudit({ actor: input.actor, action: "dashboard.publish", target: dashboard.id, meta: { version: number, note: input.note ?? "" } }, tx);
    return { versionId: version.id, number };
  });
  forgetDashboard(dashboard.id); // after the commit: a read during it would cache the old version again
  rollupsChanged(); // the new version's rollup builds in the background; it reads events until then
  return result;
}
