import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { adminActor, recordAudit } from "@/lib/audit";
import { AdminEmail, AdminPassword } from "@/lib/auth/admin-users";
import { hashPassword } from "@/lib/auth/password";
import { NO_PASSWORD } from "@/lib/auth/sso";
import { aRole, isRole, ROLE_SUMMARY, ROLES, type Role } from "@/lib/auth/roles";
import { mailConfigured, sendMail, type MailOutcome } from "@/lib/mail";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Teammates of the admin console and invitations to join it. An invite is a
// link holding a random token (only its sha256 is stored) for one email and
// one role; it works once, until it expires (INVITE_DAYS) or an owner revokes
// it. The last owner can neither be removed nor demoted: each change is one
// conditional statement, so two owners demoting each other at once cannot
// leave none. Everything here is audited.

export const INVITE_DAYS = 7;

const RoleInput = z.enum(ROLES, { error: `expected a role: ${ROLES.join(", ")}` });
const InviteInput = z.object({ email: AdminEmail, role: RoleInput });
const AcceptInput = z.object({ name: z.string().trim().min(1, "enter your name").max(120, "a name has at most 120 characters"), password: AdminPassword });

/** `sso`: joined through single sign-on, so has no password (lib/auth/sso.ts). */
export type Teammate = { id: string; email: string; name: string; role: Role; createdAt: Date; lastLoginAt: Date | null; sso: boolean };
export type PendingInvite = { id: string; email: string; role: Role; invitedBy: string; createdAt: Date; expiresAt: Date };

const tokenHash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError("validation_failed", result.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  return result.data;
}

export async function listTeam(): Promise<{ teammates: Teammate[]; invites: PendingInvite[] }> {
  const db = getDb();
  const [users, invites] = await Promise.all([
    db.adminUser.findMany({ orderBy: { createdAt: "asc" } }),
    db.adminInvite.findMany({ where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } }),
  ]);
  return {
    teammates: users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: isRole(u.role) ? u.role : "viewer", createdAt: u.createdAt, lastLoginAt: u.lastLoginAt, sso: u.passwordHash === NO_PASSWORD })),
    invites: invites.map((i) => ({ id: i.id, email: i.email, role: isRole(i.role) ? i.role : "viewer", invitedBy: i.invitedBy, createdAt: i.createdAt, expiresAt: i.expiresAt })),
  };
}

/**
 * A link to join as `role`, shown once to copy (only its hash is kept) and
 * mailed to the invitee when SMTP is configured (`mail`: null when it is not).
 * An earlier pending invite for the email stops working.
 */
export async function createInvite(input: { email: unknown; role: unknown }, actor: string): Promise<{ url: string; email: string; role: Role; expiresAt: Date; mail: MailOutcome | null }> {
  const { email, role } = parsed(InviteInput, input);
  const db = getDb();
  if (await db.adminUser.findUnique({ where: { email } })) throw new AppError("conflict", `${email} is a teammate already: change their role in the list instead.`);
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 86_400_000);
  await db.$transaction(async (tx) => {
    await tx.adminInvite.updateMany({ where: { email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    await tx.adminInvite.create({ data: { id: `inv_${crypto.randomBytes(8).toString("hex")}`, email, role, tokenHash: tokenHash(token), invitedBy: actor, expiresAt } });
    await recordAudit({ actor, action: "team.invite", target: email, meta: { role, expires_at: expiresAt.toISOString() } }, tx);
  });
  const url = `${getEnv().appUrl}/invite/${token}`;
  const mail = mailConfigured()
    ? await sendMail({
        to: email,
        subject: "You are invited to the Enclave admin console",
        text: `${actor.replace(/^admin:/, "")} invited you to the Enclave admin console as ${aRole(role)}: ${ROLE_SUMMARY[role]}\n\nJoin here (the link works once, until ${expiresAt.toISOString().replace("T", " ").slice(0, 16)} UTC):\n${url}\n\nIf you did not expect this, ignore this mail.`,
      })
    : null;
  return { url, email, role, expiresAt, mail };
}

export async function revokeInvite(id: string, actor: string): Promise<void> {
  const db = getDb();
  const invite = await db.adminInvite.findUnique({ where: { id } });
  if (!invite || invite.acceptedAt || invite.revokedAt) throw new AppError("not_found", "No pending invite has that id (it was used or revoked already).");
  await db.adminInvite.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAudit({ actor, action: "team.invite_revoke", target: invite.email, meta: { role: invite.role } });
}

export type InviteState = { status: "valid"; email: string; role: Role; expiresAt: Date } | { status: "expired" | "used" | "revoked" | "unknown" };

/** What the link `token` is (the invite page shows it before asking for a name and password). */
export async function readInvite(token: string): Promise<InviteState> {
  const invite = await getDb().adminInvite.findUnique({ where: { tokenHash: tokenHash(token) } });
  if (!invite || !isRole(invite.role)) return { status: "unknown" };
  if (invite.acceptedAt) return { status: "used" };
  if (invite.revokedAt) return { status: "revoked" };
  if (invite.expiresAt <= new Date()) return { status: "expired" };
  return { status: "valid", email: invite.email, role: invite.role, expiresAt: invite.expiresAt };
}

const INVITE_GONE: Record<Exclude<InviteState["status"], "valid">, string> = {
  unknown: "This invite link is not valid. Ask an owner of the workspace for a new one.",
  used: "This invite was used already: sign in with the email it was for.",
  revoked: "This invite was withdrawn. Ask an owner of the workspace for a new one.",
  expired: `This invite has expired (they last ${INVITE_DAYS} days). Ask an owner of the workspace for a new one.`,
};

/** Joins with the invite's email and role; the invite is used up in the same transaction. */
export async function acceptInvite(token: string, input: { name: unknown; password: unknown }): Promise<{ email: string; role: Role }> {
  if (getEnv().PASSWORD_SIGN_IN === "off") throw new AppError("forbidden", "Password sign-in is turned off here: join by signing in with single sign-on as the invited address.");
  const { name, password } = parsed(AcceptInput, input);
  const state = await readInvite(token);
  if (state.status !== "valid") throw new AppError("invalid_token", INVITE_GONE[state.status]);
  const passwordHash = await hashPassword(password);
  const db = getDb();
  await db.$transaction(async (tx) => {
    // Used up first and only if still pending: two tabs accepting at once make one teammate.
    const used = await tx.adminInvite.updateMany({ where: { tokenHash: tokenHash(token), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, data: { acceptedAt: new Date() } });
    if (used.count !== 1) throw new AppError("invalid_token", INVITE_GONE.used);
    if (await tx.adminUser.findUnique({ where: { email: state.email } })) throw new AppError("conflict", `${state.email} is a teammate already: sign in instead.`);
    await tx.adminUser.create({ data: { id: `adm_${crypto.randomBytes(8).toString("hex")}`, email: state.email, name, role: state.role, passwordHash } });
    // Invited back: single sign-on may bring them in again too.
    await tx.removedTeammate.deleteMany({ where: { email: state.email } });
    await recordAudit({ actor: adminActor(state.email), action: "team.join", target: state.email, meta: { role: state.role } }, tx);
  });
  return { email: state.email, role: state.role };
}

const LAST_OWNER = "The workspace needs at least one owner: make another teammate an owner first.";

/** Changes a teammate's role; the last owner cannot be demoted. Takes effect on their next request. */
export async function changeRole(input: { id: string; role: unknown }, actor: string): Promise<void> {
  const role = parsed(RoleInput, input.role);
  const db = getDb();
  const user = await db.adminUser.findUnique({ where: { id: input.id } });
  if (!user) throw new AppError("not_found", "No teammate has that id.");
  if (user.role === role) return;
  // One statement: the owner count is read where the row is written.
  const changed = await db.$executeRaw`UPDATE "AdminUser" SET "role" = ${role} WHERE "id" = ${input.id} AND ("role" <> 'owner' OR ${role} = 'owner' OR (SELECT count(*) FROM "AdminUser" WHERE "role" = 'owner') > 1)`;
  if (changed !== 1) throw new AppError("conflict", LAST_OWNER);
  // An owner no more: the invites they made stop working (they could have invited themselves elsewhere as an owner).
  if (user.role === "owner") await revokeInvitesBy(user.email);
  await recordAudit({ actor, action: "team.role_change", target: user.email, meta: { from: user.role, to: role } });
}

/** Removes a teammate (their session stops working on its next request); never the last owner. */
export async function removeTeammate(id: string, actor: string): Promise<void> {
  const db = getDb();
  const user = await db.adminUser.findUnique({ where: { id } });
  if (!user) throw new AppError("not_found", "No teammate has that id.");
  const removed = await db.$executeRaw`DELETE FROM "AdminUser" WHERE "id" = ${id} AND ("role" <> 'owner' OR (SELECT count(*) FROM "AdminUser" WHERE "role" = 'owner') > 1)`;
  if (removed !== 1) throw new AppError("conflict", LAST_OWNER);
  // Their invites stop working, and so does any pending invite for them (it would bring them back);
  // single sign-on does not make them a teammate again until an owner invites them.
  await revokeInvitesBy(user.email);
  await revokePendingInvitesFor(user.email);
  await db.removedTeammate.upsert({ where: { email: user.email }, update: { removedBy: actor, removedAt: new Date() }, create: { email: user.email, removedBy: actor } });
  await recordAudit({ actor, action: "team.remove", target: user.email, meta: { role: user.role } });
}

/** Pending invites an owner made stop working when they stop being an owner. */
async function revokeInvitesBy(email: string): Promise<void> {
  await getDb().adminInvite.updateMany({ where: { invitedBy: adminActor(email), acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Pending invites for an email stop working (it became a teammate another way, or was removed). */
export async function revokePendingInvitesFor(email: string): Promise<void> {
  await getDb().adminInvite.updateMany({ where: { email: email.toLowerCase(), acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
}
