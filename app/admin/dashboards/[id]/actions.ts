"use server";

import { requireAdmin } from "@/lib/auth/admin-session";
import { saveDraft, type SaveResult } from "@/lib/dashboards/drafts";
import { AppError } from "@/lib/errors";
import { guardSql, type GuardVerdict } from "@/lib/query/guard";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { scopeForAdminPreview } from "@/lib/query/scope";
import { Widget } from "@/lib/query/widget-spec";

export async function saveDraftAction(input: { id: string; revision: number; name: string; definition: unknown }): Promise<SaveResult> {
  const admin = await requireAdmin(`/admin/dashboards/${input.id}`);
  return saveDraft({ ...input, actor: admin.actor });
}

export async function validateSqlAction(sql: string): Promise<GuardVerdict> {
  await requireAdmin("/admin/dashboards");
  return guardSql(String(sql).slice(0, 20_000));
}

export type PreviewResult = { ok: true; rows: Record<string, unknown>[]; sql: string; rowsRead: number; elapsedMs: number } | { ok: false; error: string };

/** The designer's live preview: the same compiler and executor as the embed, as one tenant. */
export async function previewWidgetAction(input: { widget: unknown; tenantId: string; timezone: string }): Promise<PreviewResult> {
  const admin = await requireAdmin("/admin/dashboards");
  const parsed = Widget.safeParse(input.widget);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0].message };
  try {
    const scope = scopeForAdminPreview({ kind: "admin", admin }, input.tenantId);
    const compiled = await prepareWidget(parsed.data, scope, { timezone: input.timezone });
    const result = await runScoped(scope, compiled, { audience: "admin" });
    return { ok: true, rows: result.rows.slice(0, 500), sql: compiled.sql, rowsRead: result.stats.rows_read, elapsedMs: result.stats.elapsed_ms };
  } catch (err) {
    if (err instanceof AppError) {
      const detail = (err.details as { engine_error?: string } | undefined)?.engine_error;
      return { ok: false, error: detail ? `${err.message}: ${detail.split("\n")[0].slice(0, 300)}` : err.message };
    }
    throw err;
  }
}
