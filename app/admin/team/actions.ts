"use server";

import { revalidatePath } from "next/cache";
import { requireAction } from "@/lib/auth/admin-session";
import { changeRole, createInvite, removeTeammate, revokeInvite } from "@/lib/auth/team";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import type { MailOutcome } from "@/lib/mail";

export type InviteFormState = { status: "idle" } | { status: "invited"; url: string; email: string; role: string; expiresAt: string; mail: MailOutcome | null } | { status: "error"; message: string };
export type TeamActionState = { status: "idle" } | { status: "done"; message: string } | { status: "error"; message: string };

export async function inviteAction(_prev: InviteFormState, form: FormData): Promise<InviteFormState> {
  const admin = await requireAction("app/admin/team/actions.ts#inviteAction", "/admin/team");
  try {
    const invite = await createInvite({ email: String(form.get("email") ?? "").trim(), role: form.get("role") }, admin.actor);
    revalidatePath("/admin/team");
    return { status: "invited", url: invite.url, email: invite.email, role: invite.role, expiresAt: formatDateTime(invite.expiresAt), mail: invite.mail };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}

export async function revokeInviteAction(_prev: TeamActionState, form: FormData): Promise<TeamActionState> {
  const admin = await requireAction("app/admin/team/actions.ts#revokeInviteAction", "/admin/team");
  return settle(() => revokeInvite(String(form.get("id") ?? ""), admin.actor), "The invite link no longer works.");
}

export async function changeRoleAction(_prev: TeamActionState, form: FormData): Promise<TeamActionState> {
  const admin = await requireAction("app/admin/team/actions.ts#changeRoleAction", "/admin/team");
  return settle(() => changeRole({ id: String(form.get("id") ?? ""), role: form.get("role") }, admin.actor), "Role changed: it applies from their next click.");
}

export async function removeTeammateAction(_prev: TeamActionState, form: FormData): Promise<TeamActionState> {
  const admin = await requireAction("app/admin/team/actions.ts#removeTeammateAction", "/admin/team");
  return settle(() => removeTeammate(String(form.get("id") ?? ""), admin.actor), "Removed: their session stops working on their next click.");
}

async function settle(change: () => Promise<void>, done: string): Promise<TeamActionState> {
  try {
    await change();
    revalidatePath("/admin/team");
    return { status: "done", message: done };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}
