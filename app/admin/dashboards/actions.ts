"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/admin-session";
import { createDashboard, duplicateDashboard, setArchived } from "@/lib/dashboards/drafts";

export async function createDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAdmin("/admin/dashboards");
  const id = await createDashboard({ name: String(form.get("name") ?? "") || "Untitled dashboard", actor: admin.actor });
  redirect(`/admin/dashboards/${id}`);
}

export async function duplicateDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAdmin("/admin/dashboards");
  await duplicateDashboard(String(form.get("id")), admin.actor);
  revalidatePath("/admin/dashboards");
}

export async function archiveDashboardAction(form: FormData): Promise<void> {
  const admin = await requireAdmin("/admin/dashboards");
  await setArchived(String(form.get("id")), form.get("archived") === "true", admin.actor);
  revalidatePath("/admin/dashboards");
}
