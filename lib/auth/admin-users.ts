import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit";
import type { Role } from "@/lib/auth/roles";

export const AdminEmail = z.email("expected an email address").transform((e) => e.toLowerCase());
export const AdminPassword = z.string().min(12, "a password needs at least 12 characters");

export type FirstAdmin = { email: string; generatedPassword?: string } | undefined;

/**
 * First start with no admin: create one from ADMIN_EMAIL/ADMIN_PASSWORD, or with
 * a generated password that the caller prints once. Returns undefined when an
 * admin exists already.
 */
export async function ensureFirstAdmin(): Promise<FirstAdmin> {
  const db = getDb();
  if ((await db.adminUser.count()) > 0) return undefined;
  const env = getEnv();
  const email = (env.ADMIN_EMAIL ?? "admin@enclave.local").toLowerCase();
  const password = env.ADMIN_PASSWORD ?? generatePassword();
  await createAdmin({ email, password, name: "Administrator", actor: "system" });
  return { email, generatedPassword: env.ADMIN_PASSWORD ? undefined : password };
}

/** A teammate with a password (the first admin, `npm run enclave -- admin create`); invites make the others (lib/auth/team.ts). */
export async function createAdmin(input: { email: string; password: string; name: string; role?: Role; actor: string }): Promise<void> {
  const email = AdminEmail.parse(input.email);
  AdminPassword.parse(input.password);
  const db = getDb();
  if (await db.adminUser.findUnique({ where: { email } })) {
    throw new AppError("conflict", `An admin with the email ${email} exists already.`);
  }
  await db.adminUser.create({
    data: { id: `adm_${crypto.randomBytes(8).toString("hex")}`, email, name: input.name, role: input.role ?? "owner", passwordHash: await hashPassword(input.password) },
  });
  // A pending invite for this email would otherwise stay listed, and bring them back with its role after a removal.
  await db.adminInvite.updateMany({ where: { email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAudit({ actor: input.actor, action: "admin.create", target: email, meta: { role: input.role ?? "owner" } });
}

export async function setAdminPassword(input: { email: string; password: string; actor: string }): Promise<void> {
  const email = AdminEmail.parse(input.email);
  AdminPassword.parse(input.password);
  const db = getDb();
  const user = await db.adminUser.findUnique({ where: { email } });
  if (!user) throw new AppError("not_found", `No admin has the email ${email}.`);
  await db.adminUser.update({ where: { email }, data: { passwordHash: await hashPassword(input.password) } });
  await recordAudit({ actor: input.actor, action: "admin.password_reset", target: email });
}
