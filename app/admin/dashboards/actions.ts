"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireAction } from "@/lib/auth/admin-session";
import { createDashboard, duplicateDashboard, setArchived } from "@/lib/dashboards/drafts";
import { importDashboard, parseDashboardFile } from "@/lib/dashboards/export-import";
import { AppError } from "@/lib/errors";

export async function createDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAction("app/admin/dashboards/actions.ts#createDashboardAction", "/admin/dashboards");
  const id = await createDashboard({ name: String(form.get("name") ?? "") || "Untitled dashboard", actor: admin.actor });
  redirect(`/admin/dashboards/${id}`);
}

export async function duplicateDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAction("app/admin/dashboards/actions.ts#duplicateDashboardAction", "/admin/dashboards");
  await duplicateDashboard(String(form.get("id")), admin.actor);
  revalidatePath("/admin/dashboards");
}

export async function archiveDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAction("app/admin/dashboards/actions.ts#archiveDashboardAction", "/admin/dashboards");
  await setArchived(String(form.get("id")), form.get("archived") === "true", admin.actor);
  revalidatePath("/admin/dashboards");
}

export type ImportState = { error?: string };

/** Imports an exported file as a new dashboard and opens it in the designer. */
export async function importDashboardAction(_prev: ImportState, form: FormData): Promise<ImportState> {
  const admin = await requireAction("app/admin/dashboards/actions.ts#importDashboardAction", "/admin/dashboards");
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) return { error: "Choose a dashboard file (.json) to import." };
  let id: string;
  try {
    id = await importDashboard(parseDashboardFile(await file.text()), { actor: admin.actor });
  } catch (err) {
    if (err instanceof AppError) return { error: `${file.name}: ${err.message}` };
    throw err;
  }
  redirect(`/admin/dashboards/${id}`);
}
