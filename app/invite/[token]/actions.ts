"use server";

import { acceptInvite } from "@/lib/auth/team";
import { AppError } from "@/lib/errors";

export type AcceptState = { status: "idle" } | { status: "joined"; email: string } | { status: "error"; message: string };

/** Public: the invite token in the link is the credential (lib/auth/roles.ts, PUBLIC_ACTIONS). */
export async function acceptInviteAction(token: string, _prev: AcceptState, form: FormData): Promise<AcceptState> {
  try {
    const { email } = await acceptInvite(token, { name: form.get("name"), password: form.get("password") });
    return { status: "joined", email };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}
