"use server";

import { revalidatePath } from "next/cache";
import { requireAction } from "@/lib/auth/admin-session";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";

export type CreateKeyState =
  | { status: "idle" }
  | { status: "created"; secret: string; name: string; expiresAt: string | null }
  | { status: "error"; message: string };

export async function createKeyAction(_prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const admin = await requireAction("app/admin/keys/actions.ts#createKeyAction", "/admin/keys");
  const tenant = String(form.get("tenant_id") ?? "").trim();
  const expires = String(form.get("expires_at") ?? "").trim();
  try {
    const { key, secret } = await createApiKey(
      { name: String(form.get("name") ?? ""), scopes: form.getAll("scopes").map(String), ...(tenant ? { tenant_id: tenant } : {}), ...(expires ? { expires_at: expires } : {}) },
      admin.actor,
    );
    revalidatePath("/admin/keys");
    return { status: "created", secret, name: key.name, expiresAt: key.expiresAt ? formatDateTime(key.expiresAt) : null };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}

export async function revokeKeyAction(form: FormData): Promise<void> {
  const admin = await requireAction("app/admin/keys/actions.ts#revokeKeyAction", "/admin/keys");
  await revokeApiKey(String(form.get("id") ?? ""), admin.actor);
  revalidatePath("/admin/keys");
}
