"use server";

import { revalidatePath } from "next/cache";
import { addToDashboard, decideReviewItem } from "@/lib/ai/review";
import { requireAction } from "@/lib/auth/admin-session";
import { AppError } from "@/lib/errors";

export type ReviewState = { message?: string; error?: string };

export async function decideAction(_prev: ReviewState, form: FormData): Promise<ReviewState> {
  const admin = await requireAction("app/admin/ai/actions.ts#decideAction", "/admin/ai");
  try {
    const decision = form.get("decision") === "approved" ? "approved" : "rejected";
    await decideReviewItem({ id: String(form.get("id")), decision, note: String(form.get("note") ?? "") }, admin.actor);
    revalidatePath("/admin/ai");
    return { message: decision === "approved" ? "Approved. Add it to a dashboard's draft below." : "Rejected." };
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    throw err;
  }
}

export async function addAction(_prev: ReviewState, form: FormData): Promise<ReviewState> {
  const admin = await requireAction("app/admin/ai/actions.ts#addAction", "/admin/ai");
  try {
    const dashboardId = String(form.get("dashboard") ?? "");
    const { widgetId } = await addToDashboard({ id: String(form.get("id")), dashboardId }, admin.actor);
    revalidatePath("/admin/ai");
    return { message: `Added to the draft as widget ${widgetId}. Publish the dashboard to show it.` };
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    throw err;
  }
}
