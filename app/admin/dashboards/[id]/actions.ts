"use server";

import { requireAction } from "@/lib/auth/admin-session";
import { saveDraft, type SaveResult } from "@/lib/dashboards/drafts";
import { AppError } from "@/lib/errors";
import { guardSql, type GuardVerdict } from "@/lib/query/guard";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { DEFAULT_PERMISSIONS } from "@/lib/query/permissions";
import { initialState, runDashboard, type DashboardReader } from "@/lib/query/run-dashboard";
import { scopeForAdminPreview } from "@/lib/query/scope";
import { Widget } from "@/lib/query/widget-spec";

export async function saveDraftAction(input: { id: string; revision: number; name: string; definition: unknown }): Promise<SaveResult> {
  const admin = await requireAction("app/admin/dashboards/[id]/actions.ts#saveDraftAction", `/admin/dashboards/${input.id}`);
  return saveDraft({ ...input, actor: admin.actor });
}

export async function validateSqlAction(sql: string): Promise<GuardVerdict> {
  await requireAction("app/admin/dashboards/[id]/actions.ts#validateSqlAction", "/admin/dashboards");
  return guardSql(String(sql).slice(0, 20_000));
}

export type PreviewResult = { ok: true; rows: Record<string, unknown>[]; sql: string; rowsRead: number; elapsedMs: number } | { ok: false; error: string };

/** The designer's live preview: the unsaved widget read through the same front door as the embed, as one tenant. */
export async function previewWidgetAction(input: { widget: unknown; tenantId: string; timezone: string }): Promise<PreviewResult> {
  const admin = await requireAction("app/admin/dashboards/[id]/actions.ts#previewWidgetAction", "/admin/dashboards");
  const parsed = Widget.safeParse(input.widget);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0].message };
  const definition = DashboardDefinition.safeParse({ widgets: [parsed.data], timezone: input.timezone });
  if (!definition.success) return { ok: false, error: definition.error.issues[0].message };
  try {
    const scope = scopeForAdminPreview({ kind: "admin", admin }, input.tenantId);
    const reader: DashboardReader = { scope, permissions: DEFAULT_PERMISSIONS, source: { dashboardId: "designer", versionKey: "designer", definition: definition.data }, audience: "admin", cache: false };
    const { outcomes, traces } = await runDashboard(reader, initialState(definition.data));
    const outcome = outcomes[0];
    if ("error" in outcome) return { ok: false, error: outcome.error.message };
    const trace = (await traces.get(outcome.widget_id))!;
    return { ok: true, rows: outcome.rows.slice(0, 500), sql: trace.sql, rowsRead: trace.rows_read, elapsedMs: trace.elapsed_ms };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.message };
    throw err;
  }
}
