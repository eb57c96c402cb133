import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { adminActor, recordAudit } from "@/lib/audit";
import { getDecoyHash, verifyPassword } from "@/lib/auth/password";

// Credentials check with throttling. Failures count per email and per IP
// within LOGIN_WINDOW_MINUTES, since the last successful sign-in.

export type LoginOutcome =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" | "throttled"; retryAfterSeconds?: number };

/** An IP may fail this many times the per-email limit (it may serve several people). */
const IP_FACTOR = 4;

async function failuresSince(where: { email: string } | { ip: string }, since: Date): Promise<{ count: number; oldest?: Date }> {
  const db = getDb();
  const lastSuccess = await db.loginAttempt.findFirst({ where: { ...where, success: true, createdAt: { gte: since } }, orderBy: { createdAt: "desc" } });
  const from = lastSuccess && lastSuccess.createdAt > since ? lastSuccess.createdAt : since;
  const failures = await db.loginAttempt.findMany({
    where: { ...where, success: false, createdAt: { gt: from } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  return { count: failures.length, oldest: failures[0]?.createdAt };
}

export async function attemptLogin(input: { email: string; password: string; ip: string }): Promise<LoginOutcome> {
  const env = getEnv();
  const db = getDb();
  const email = input.email.trim().toLowerCase();
  const windowMs = env.LOGIN_WINDOW_MINUTES * 60_000;
  const since = new Date(Date.now() - windowMs);

  const byEmail = await failuresSince({ email }, since);
  const byIp = await failuresSince({ ip: input.ip }, since);
  const blocked = byEmail.count >= env.LOGIN_MAX_FAILURES ? byEmail : byIp.count >= env.LOGIN_MAX_FAILURES * IP_FACTOR ? byIp : undefined;
  if (blocked) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((blocked.oldest?.getTime() ?? Date.now()) + windowMs - Date.now()) / 1000));
    await recordAudit({ actor: "anonymous", action: "auth.login_throttled", target: email, meta: { ip: input.ip } });
    return { ok: false, reason: "throttled", retryAfterSeconds };
  }

  const user = await db.adminUser.findUnique({ where: { email } });
  // Verify against a decoy hash for unknown emails so timing does not reveal which exist.
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await getDecoyHash()));
  const success = Boolean(user && valid);
  await db.loginAttempt.create({ data: { email, ip: input.ip, success } });
  if (!user || !success) {
    await recordAudit({ actor: "anonymous", action: "auth.login_failed", target: email, meta: { ip: input.ip } });
    return { ok: false, reason: "invalid" };
  }
  await db.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordAudit({ actor: adminActor(user.email), action: "auth.login", target: user.email, meta: { ip: input.ip } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

/** Drops attempts older than a day; called on start. */
export async function sweepLoginAttempts(): Promise<void> {
  await getDb().loginAttempt.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - 24 * 3600_000) } } });
}
