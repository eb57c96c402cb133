import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit";
import { isExpired, KeyExpiry } from "@/lib/auth/key-expiry";
import { TenantId } from "@/lib/tenant-id";
import { recordInLedger } from "@/lib/backup/erasure-ledger";

// API keys for the SaaS team's backend. Only a sha256 of the secret is stored;
// the secret is returned once, at creation.

export const API_SCOPES = ["embed", "ingest", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const SECRET_PREFIX = "enc_";
const PREFIX_LENGTH = SECRET_PREFIX.length + 8;

export const CreateApiKeyInput = z
  .object({
    name: z.string().trim().min(1, "give the key a name").max(100),
    scopes: z.array(z.enum(API_SCOPES, "expected embed, ingest or admin")).min(1, "pick at least one scope"),
    tenant_id: TenantId.optional(),
    /** Optional: from this instant on the key is refused (see key-expiry.ts for the accepted forms). */
    expires_at: KeyExpiry.optional(),
  })
  .strict();
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export type ApiKeyInfo = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  tenantId: string | null;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
};

export function hashSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("hex");
}

export function parseScopes(stored: string): ApiScope[] {
  return stored.split(",").filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
}

function toInfo(row: Omit<ApiKeyInfo, "scopes"> & { scopes: string }): ApiKeyInfo {
  return { ...row, scopes: parseScopes(row.scopes) };
}

export async function createApiKey(input: unknown, actor: string): Promise<{ key: ApiKeyInfo; secret: string }> {
  const parsed = CreateApiKeyInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error, "API key");
  const { name, scopes, tenant_id, expires_at } = parsed.data;
  const secret = SECRET_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = await getDb().apiKey.create({
    data: {
      id: `key_${crypto.randomBytes(8).toString("hex")}`,
      name,
      prefix: secret.slice(0, PREFIX_LENGTH),
      secretHash: hashSecret(secret),
      scopes: [...new Set(scopes)].sort().join(","),
      tenantId: tenant_id ?? null,
      expiresAt: expires_at ?? null,
      createdBy: actor,
    },
  });
  await recordAudit({ actor, action: "api_key.create", target: row.id, meta: { name, prefix: row.prefix, scopes, tenant_id: tenant_id ?? null, expires_at: expires_at?.toISOString() ?? null } });
  return { key: toInfo(row), secret };
}

export async function listApiKeys(): Promise<ApiKeyInfo[]> {
  const rows = await getDb().apiKey.findMany({ orderBy: { createdAt: "desc" } });
  return rows.map(toInfo);
}

/** Revokes by id or prefix. Revoking twice is a no-op, not an error. */
export async function revokeApiKey(idOrPrefix: string, actor: string): Promise<ApiKeyInfo> {
  const db = getDb();
  const row = await db.apiKey.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
  if (!row) throw new AppError("not_found", `No API key has the id or prefix "${idOrPrefix}".`);
  if (row.revokedAt) return toInfo(row);
  const now = new Date();
  // In the ledger first: restoring an older backup revokes it again.
  recordInLedger({ kind: "api_key_revocation", key_id: row.id, at: now.toISOString() });
  const updated = await db.apiKey.update({ where: { id: row.id }, data: { revokedAt: now } });
  await recordAudit({ actor, action: "api_key.revoke", target: row.id, meta: { name: row.name, prefix: row.prefix } });
  return toInfo(updated);
}

/** Looks up a presented secret. Returns undefined for an unknown key. */
async function findApiKeyBySecret(secret: string): Promise<ApiKeyInfo | undefined> {
  if (!secret.startsWith(SECRET_PREFIX) || secret.length > 200) return undefined;
  const row = await getDb().apiKey.findUnique({ where: { secretHash: hashSecret(secret) } });
  return row ? toInfo(row) : undefined;
}

/** The key a request presents, if it may be used now: unknown, revoked and expired keys are 401s that say what to do. */
export async function authenticateApiKey(secret: string | undefined, now: Date = new Date()): Promise<ApiKeyInfo> {
  if (!secret) throw new AppError("missing_api_key", "Send your API key in the Authorization header: `Authorization: Bearer enc_…`.");
  const key = await findApiKeyBySecret(secret);
  if (!key) throw new AppError("invalid_api_key", "This API key is not valid. Check that you copied all of it, or create a new one under Admin → API keys.");
  if (key.revokedAt) throw new AppError("revoked_api_key", "This API key was revoked. Create a new one under Admin → API keys.");
  if (isExpired(key.expiresAt, now)) {
    throw new AppError("api_key_expired", `This API key expired on ${key.expiresAt!.toISOString()}. Create a new one under Admin → API keys (or with \`npm run enclave -- keys create\`).`, { expired_at: key.expiresAt!.toISOString() });
  }
  return key;
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Updates last-used at most once a minute per key, so reads don't become writes. */
export async function touchApiKey(key: ApiKeyInfo): Promise<void> {
  if (key.lastUsedAt && Date.now() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await getDb().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
}
