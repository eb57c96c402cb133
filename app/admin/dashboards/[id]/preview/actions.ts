"use server";

import { requireAdmin } from "@/lib/auth/admin-session";
import { previewFilterValues, runPreviewWidget, type PreviewTarget } from "@/lib/dashboards/preview";
import { AppError } from "@/lib/errors";
import type { FilterState } from "@/lib/query/widget-spec";

// Bound to one preview target by the page; the client only sends widget ids and filter state.

export async function previewQueryAction(target: PreviewTarget, input: { widget_id: string; filters?: FilterState }) {
  const admin = await requireAdmin(`/admin/dashboards/${target.dashboardId}/preview`);
  try {
    return await runPreviewWidget(admin, target, input);
  } catch (err) {
    if (err instanceof AppError) return { widget_id: input.widget_id, error: { code: err.code, message: err.message } };
    throw err;
  }
}

export async function previewValuesAction(target: PreviewTarget, input: { dimension: string }) {
  const admin = await requireAdmin(`/admin/dashboards/${target.dashboardId}/preview`);
  try {
    const { values } = await previewFilterValues(admin, target, input.dimension);
    return { values };
  } catch {
    return { values: [] };
  }
}
