import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { storeInAgeOrder } from "@/lib/age-ordered";
import { recordAudit } from "@/lib/audit";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { EmbedLocale } from "@/lib/embed/locale";
import { parseStoredOrigins } from "@/lib/embed/origins";
import { Permissions } from "@/lib/query/permissions";
import { mintEmbedToken } from "@/lib/embed/tokens";
import { forgetTenantResults } from "@/lib/query/result-cache";
import { resolveDimension } from "@/lib/query/catalog";
import { TenantId } from "@/lib/tenant-id";
import { recordInLedger } from "@/lib/backup/erasure-ledger";

// Embed sessions: one tenant, one published dashboard, a lifetime, optional
// permissions. The row is the source of truth; the token only points at it.

export const CreateSessionInput = z
  .object({
    tenant_id: TenantId,
    dashboard_id: z.string().min(1).max(100),
    expires_in: z.number().int().min(10, "expires_in must be at least 10 seconds").max(86_400, "expires_in must be at most 86400 seconds (24 h)").default(3600),
    permissions: Permissions.optional(),
    user_id: z.string().min(1).max(200).optional(),
    single_use: z.boolean().default(false),
    locale: EmbedLocale.default("en").meta({ description: 'The viewer\'s locale, BCP 47 ("de", "fr-CA"); default "en". Numbers, dates and the embed\'s own words follow it; stored in canonical form.' }),
  })
  .strict();
export type CreateSessionInput = z.input<typeof CreateSessionInput>;

export type SessionView = {
  session_id: string;
  tenant_id: string;
  dashboard_id: string;
  user_id: string | null;
  permissions: Permissions;
  single_use: boolean;
  locale: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  consumed_at: string | null;
  status: "active" | "expired" | "revoked" | "spent";
};

type SessionRow = Awaited<ReturnType<ReturnType<typeof getDb>["embedSession"]["findUniqueOrThrow"]>>;

function statusOf(row: SessionRow, cutoff?: Date): SessionView["status"] {
  if (row.revokedAt || (cutoff && row.createdAt <= cutoff)) return "revoked";
  if (row.expiresAt.getTime() <= Date.now()) return "expired";
  if (row.singleUse && row.consumedAt) return "spent";
  return "active";
}

async function cutoffFor(tenantId: string): Promise<Date | undefined> {
  return (await getDb().tenantCutoff.findUnique({ where: { tenantId } }))?.revokedBefore;
}

function view(row: SessionRow, cutoff?: Date): SessionView {
  return {
    session_id: row.id,
    tenant_id: row.tenantId,
    dashboard_id: row.dashboardId,
    user_id: row.userId,
    permissions: Permissions.parse(JSON.parse(row.permissions)),
    single_use: row.singleUse,
    locale: row.locale,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? (cutoff && row.createdAt <= cutoff ? cutoff.toISOString() : null),
    consumed_at: row.consumedAt?.toISOString() ?? null,
    status: statusOf(row, cutoff),
  };
}

export async function createEmbedSession(raw: unknown, ctx: Pick<ApiKeyContext, "actor" | "assertTenant">) {
  const parsed = CreateSessionInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("validation_failed", `Invalid embed session: ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  const input = parsed.data;
  ctx.assertTenant(input.tenant_id);
  const permissions = input.permissions ?? Permissions.parse({});
  for (const dim of [...Object.keys(permissions.locked_filters ?? {}), ...(permissions.allowed_dimensions ?? [])]) {
    if (!resolveDimension(dim) || /^(property:)?tenant(_id)?$/i.test(dim)) {
      throw new AppError("validation_failed", `Invalid embed session: permissions: "${dim}" is not a dimension you can lock or allow.`);
    }
  }
  const db = getDb();
  const dashboard = await db.dashboard.findUnique({ where: { id: input.dashboard_id } });
  if (!dashboard || dashboard.archivedAt) throw new AppError("not_found", `No dashboard has the id "${input.dashboard_id}".`);
  if (!dashboard.liveVersionId) throw new AppError("not_published", `Dashboard "${input.dashboard_id}" has never been published. Publish it in the admin console first.`);
  const env = getEnv();
  const ttl = Math.min(input.expires_in, env.EMBED_MAX_TTL_SECONDS);
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const id = `ses_${crypto.randomBytes(12).toString("hex")}`;
  const origins = parseStoredOrigins(dashboard.allowedOrigins);
  await db.embedSession.create({
    data: { id, tenantId: input.tenant_id, dashboardId: dashboard.id, permissions: JSON.stringify(permissions), userId: input.user_id ?? null, singleUse: input.single_use, locale: input.locale, createdBy: ctx.actor, expiresAt },
  });
  const token = await mintEmbedToken({ sessionId: id, tenantId: input.tenant_id, dashboardId: dashboard.id, permissions, origins, locale: input.locale, expiresAt });
  await recordAudit({ actor: ctx.actor, action: "embed_session.create", target: id, meta: { tenant_id: input.tenant_id, dashboard_id: dashboard.id, expires_in: ttl, single_use: input.single_use, locale: input.locale } });
  return { embed_url: `${env.appUrl}/embed/${token}`, token, session_id: id, expires_at: expiresAt.toISOString() };
}

/** A session as its key may see it: a restricted key gets 404 for other tenants' sessions. */
async function findForKey(id: string, ctx: Pick<ApiKeyContext, "key">): Promise<SessionRow> {
  const row = await getDb().embedSession.findUnique({ where: { id } });
  if (!row || (ctx.key.tenantId !== null && ctx.key.tenantId !== row.tenantId)) throw new AppError("not_found", `No embed session has the id "${id}".`);
  return row;
}

export async function getEmbedSession(id: string, ctx: Pick<ApiKeyContext, "key">): Promise<SessionView> {
  const row = await findForKey(id, ctx);
  return view(row, await cutoffFor(row.tenantId));
}

export async function revokeEmbedSession(id: string, ctx: Pick<ApiKeyContext, "key" | "actor">): Promise<SessionView> {
  const row = await findForKey(id, ctx);
  const now = new Date();
  // In the ledger first: restoring an older backup revokes it again.
  if (!row.revokedAt) recordInLedger({ kind: "session_revocation", session_id: id, at: now.toISOString() });
  const updated = row.revokedAt ? row : await getDb().embedSession.update({ where: { id }, data: { revokedAt: now } });
  forgetSession(id);
  if (!row.revokedAt) await recordAudit({ actor: ctx.actor, action: "embed_session.revoke", target: id, meta: { tenant_id: row.tenantId } });
  return view(updated, await cutoffFor(row.tenantId));
}

/** Revokes every session of a tenant issued until now (a cutoff, so sessions minted later still work). */
export async function revokeTenantSessions(tenantId: string, actor: string, options: { reapplying?: boolean } = {}): Promise<{ tenant_id: string; revoked_before: string; sessions_revoked: number }> {
  const now = new Date();
  const db = getDb();
  // In the ledger first: restoring an older backup revokes them again (a restore re-applying it has it already).
  if (!options.reapplying) recordInLedger({ kind: "tenant_sessions_revocation", tenant_id: tenantId, at: now.toISOString() });
  await db.tenantCutoff.upsert({ where: { tenantId }, create: { tenantId, revokedBefore: now }, update: { revokedBefore: now } });
  const { count } = await db.embedSession.updateMany({ where: { tenantId, revokedAt: null, expiresAt: { gt: now } }, data: { revokedAt: now } });
  forgetTenant(tenantId);
  forgetTenantResults(tenantId);
  await recordAudit({ actor, action: "embed_session.revoke_tenant", target: tenantId, meta: { sessions_revoked: count } });
  return { tenant_id: tenantId, revoked_before: now.toISOString(), sessions_revoked: count };
}

// Revocation is checked on every request; this cache holds a session's state for at most 5 s.
const CACHE_MS = 5_000;
// On globalThis: Next bundles route handlers and pages separately, and a revocation made
// through one must clear the entry the other reads.
const shared = globalThis as unknown as { enclaveSessionCache?: Map<string, { at: number; row: SessionRow; cutoff?: Date }>; enclaveRevocations?: { count: number } };
const cache = (shared.enclaveSessionCache ??= new Map());
// Bumped by every revocation: a read that started before one must not put what it read into the cache.
const revocations = (shared.enclaveRevocations ??= { count: 0 });

/** Keeps a session's state for CACHE_MS; states not used since leave as new ones arrive (lib/age-ordered.ts). */
function remember(id: string, entry: { at: number; row: SessionRow; cutoff?: Date }) {
  storeInAgeOrder(cache, id, entry, (held) => entry.at - held.at > CACHE_MS);
}

/** How many sessions' states are held (for the operator's memory view). */
export const sessionCacheSize = () => cache.size;

function forgetSession(id: string) {
  revocations.count++;
  cache.delete(id);
}
function forgetTenant(tenantId: string) {
  revocations.count++;
  for (const [id, entry] of cache) if (entry.row.tenantId === tenantId) cache.delete(id);
}

export type ActiveSession = { id: string; tenantId: string; dashboardId: string; userId: string | null; permissions: Permissions; expiresAt: Date; singleUse: boolean; locale: string };

/**
 * The session behind verified claims, if it may still be used. Throws the
 * code the embed runtime acts on: session_revoked, session_expired, session_spent.
 */
export async function loadActiveSession(claims: { jti: string; tenant: string; dashboard: string }, options: { allowSpent?: boolean } = {}): Promise<ActiveSession> {
  let entry = cache.get(claims.jti);
  if (!entry || Date.now() - entry.at > CACHE_MS) {
    const generation = revocations.count;
    const row = await getDb().embedSession.findUnique({ where: { id: claims.jti } });
    if (!row) throw new AppError("invalid_token", "This embed link is not valid.");
    entry = { at: Date.now(), row, cutoff: await cutoffFor(row.tenantId) };
    if (generation === revocations.count) remember(claims.jti, entry);
  }
  const { row, cutoff } = entry;
  // The token's claims must name the same tenant and dashboard as the stored session.
  if (row.tenantId !== claims.tenant || row.dashboardId !== claims.dashboard) throw new AppError("invalid_token", "This embed link is not valid.");
  const status = statusOf(row, cutoff);
  if (status === "revoked") throw new AppError("session_revoked", "This embed session was revoked. Ask the site for a new one.");
  if (status === "expired") throw new AppError("session_expired", "This embed session has expired. Ask the site for a new one.");
  if (status === "spent" && !options.allowSpent) throw new AppError("session_spent", "This embed link was already used. Ask the site for a new one.");
  return { id: row.id, tenantId: row.tenantId, dashboardId: row.dashboardId, userId: row.userId, permissions: Permissions.parse(JSON.parse(row.permissions)), expiresAt: row.expiresAt, singleUse: row.singleUse, locale: row.locale };
}

/** Marks a single-use session's URL as loaded; a second load is refused. Atomic. */
export async function consumeSingleUse(sessionId: string): Promise<void> {
  const { count } = await getDb().embedSession.updateMany({ where: { id: sessionId, singleUse: true, consumedAt: null }, data: { consumedAt: new Date() } });
  forgetSession(sessionId);
  if (count !== 1) throw new AppError("session_spent", "This embed link was already used. Ask the site for a new one.");
}
