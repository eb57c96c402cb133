import "server-only";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { adminActor, recordAudit } from "@/lib/audit";
import { getDecoyHash, verifyPassword } from "@/lib/auth/password";

// Credentials check with throttling. Failures count within LOGIN_WINDOW_MINUTES,
// since the last successful sign-in of the same key, at three levels:
// - one email from one address: LOGIN_MAX_FAILURES;
// - one address, any email (spraying): 4 x LOGIN_MAX_FAILURES;
// - one email from all addresses (a stranger with many addresses): 4 x
//   LOGIN_MAX_FAILURES, except from an address that signed in as that email in
//   the last 30 days, which strangers can never lock out.
// The address comes from the socket (or a proxy the operator trusts: see
// scripts/server/client-address.mjs), never from a header the client sets.
// Throttled attempts are not recorded, so retrying while locked does not
// extend a lock: it ends LOGIN_WINDOW_MINUTES after the failures that caused it.

export type LoginOutcome =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" | "throttled"; retryAfterSeconds?: number };

/** An address may fail this many times the per-email limit (it may serve several people); so may an email across addresses. */
const SPREAD_FACTOR = 4;
const KNOWN_ADDRESS_DAYS = 30;

type Key = { email: string; ip?: string } | { ip: string };

async function failuresSince(where: Key, since: Date, resetOnSuccess = true): Promise<{ count: number; oldest?: Date }> {
  const db = getDb();
  const lastSuccess = resetOnSuccess ? await db.loginAttempt.findFirst({ where: { ...where, success: true, createdAt: { gte: since } }, orderBy: { createdAt: "desc" } }) : null;
  const from = lastSuccess && lastSuccess.createdAt > since ? lastSuccess.createdAt : since;
  const failures = await db.loginAttempt.findMany({
    where: { ...where, success: false, createdAt: { gt: from } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  return { count: failures.length, oldest: failures[0]?.createdAt };
}

/** Has this address signed in as this email recently? */
async function knownAddress(email: string, ip: string): Promise<boolean> {
  const since = new Date(Date.now() - KNOWN_ADDRESS_DAYS * 86_400_000);
  return (await getDb().loginAttempt.count({ where: { email, ip, success: true, createdAt: { gte: since } } })) > 0;
}

export async function attemptLogin(input: { email: string; password: string; ip: string }): Promise<LoginOutcome> {
  const env = getEnv();
  const db = getDb();
  const email = input.email.trim().toLowerCase();
  const windowMs = env.LOGIN_WINDOW_MINUTES * 60_000;
  const since = new Date(Date.now() - windowMs);
  const max = env.LOGIN_MAX_FAILURES;

  const pair = await failuresSince({ email, ip: input.ip }, since);
  const byIp = await failuresSince({ ip: input.ip }, since);
  let blocked = pair.count >= max ? pair : byIp.count >= max * SPREAD_FACTOR ? byIp : undefined;
  if (!blocked) {
    // The owner signing in from their own address does not give strangers a fresh allowance.
    const byEmail = await failuresSince({ email }, since, false);
    if (byEmail.count >= max * SPREAD_FACTOR && !(await knownAddress(email, input.ip))) blocked = byEmail;
  }
  if (blocked) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((blocked.oldest?.getTime() ?? Date.now()) + windowMs - Date.now()) / 1000));
    await recordAudit({ actor: "anonymous", action: "auth.login_throttled", target: email, meta: { ip: input.ip } });
    return { ok: false, reason: "throttled", retryAfterSeconds };
  }

  const user = await db.adminUser.findUnique({ where: { email } });
  // Verify against a decoy hash for unknown emails so timing does not reveal which exist.
  // So does a teammate who joined through single sign-on and has no password (lib/auth/sso.ts).
  const stored = user?.passwordHash.startsWith("scrypt$") ? user.passwordHash : await getDecoyHash();
  const verified = await verifyPassword(input.password, stored);
  const valid = verified && stored === user?.passwordHash;
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
