"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireAction } from "@/lib/auth/admin-session";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { rollbackTo } from "@/lib/dashboards/versions";
import { AppError } from "@/lib/errors";

export type PublishState = { status: "idle" } | { status: "published"; number: number } | { status: "error"; message: string };

export async function publishAction(dashboardId: string, _prev: PublishState, form: FormData): Promise<PublishState> {
  const admin = await requireAction("app/admin/dashboards/[id]/versions/actions.ts#publishAction", `/admin/dashboards/${dashboardId}/versions`);
  try {
    const { number } = await publishVersion({ dashboardId, note: String(form.get("note") ?? "").slice(0, 500), actor: admin.actor });
    revalidatePath(`/admin/dashboards/${dashboardId}/versions`);
    return { status: "published", number };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}

export async function rollbackAction(dashboardId: string, form: FormData): Promise<void> {
  const admin = await requireAction("app/admin/dashboards/[id]/versions/actions.ts#rollbackAction", `/admin/dashboards/${dashboardId}/versions`);
  const number = Number(form.get("number"));
  await rollbackTo({ dashboardId, number, actor: admin.actor });
  revalidatePath(`/admin/dashboards/${dashboardId}/versions`);
  // The page confirms which version is live now.
  redirect(`/admin/dashboards/${encodeURIComponent(dashboardId)}/versions?rolled_back=${number}`);
}
