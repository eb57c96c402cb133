import "server-only";
import crypto from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { z } from "zod";
import { getSecrets, type SigningKey } from "@/lib/secrets";
import { Permissions } from "@/lib/query/permissions";

// Embed tokens: HS256 pinned, `kid` from a key set (sign with the newest,
// verify with any listed), iss/aud/iat/nbf/exp, jti = session id, and the
// tenant, dashboard, permissions and allowed origins signed in. The data
// token the page hands its iframe is a second, short-lived JWT with another
// audience, so neither can stand in for the other.

export const ISSUER = "enclave";
export const EMBED_AUDIENCE = "enclave:embed";
export const DATA_AUDIENCE = "enclave:embed-data";
export const PREVIEW_AUDIENCE = "enclave:preview-data";
export const DATA_TOKEN_TTL_SECONDS = 15 * 60;
export const PREVIEW_TOKEN_TTL_SECONDS = 60 * 60;

const Origin = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/);

const EmbedClaims = z.object({
  jti: z.string().min(1),
  tenant: z.string().min(1),
  dashboard: z.string().min(1),
  permissions: Permissions,
  origins: z.array(Origin).max(50),
  /** The session's locale, for the words of a refused link's page (the session row is the source otherwise). */
  locale: z.string().max(35).optional(),
  exp: z.number(),
});
export type EmbedClaims = z.infer<typeof EmbedClaims>;

const DataClaims = z.object({ jti: z.string().min(1), tenant: z.string().min(1), dashboard: z.string().min(1), version: z.string().min(1), exp: z.number() });
export type DataClaims = z.infer<typeof DataClaims>;

/** The admin preview's page: which admin, which dashboard shown how, as which tenant, with which permissions. */
const PreviewClaims = z.object({
  jti: z.string().min(1),
  admin: z.string().min(1),
  tenant: z.string().min(1),
  dashboard: z.string().min(1),
  show: z.union([z.literal("draft"), z.literal("live"), z.number().int().positive()]),
  permissions: Permissions,
  exp: z.number(),
});
export type PreviewClaims = z.infer<typeof PreviewClaims>;

// Importing a key costs more than an HMAC itself: keep one CryptoKey per signing key.
const imported = new Map<string, Promise<CryptoKey>>();

function cryptoKey(key: SigningKey): Promise<CryptoKey> {
  const id = `${key.kid}:${key.secret}`;
  let k = imported.get(id);
  if (!k) {
    k = crypto.webcrypto.subtle.importKey("raw", new TextEncoder().encode(key.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (imported.size > 16) imported.clear();
    imported.set(id, k);
  }
  return k;
}

function newestKey(): SigningKey {
  const keys = getSecrets().embedSigningKeys;
  return keys[keys.length - 1];
}

async function sign(payload: JWTPayload, audience: string, expiresAt: Date): Promise<string> {
  const key = newestKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(await cryptoKey(key));
}

export function mintEmbedToken(c: { sessionId: string; tenantId: string; dashboardId: string; permissions: Permissions; origins: string[]; locale?: string; expiresAt: Date }) {
  return sign({ jti: c.sessionId, tenant: c.tenantId, dashboard: c.dashboardId, permissions: c.permissions, origins: c.origins, ...(c.locale ? { locale: c.locale } : {}) }, EMBED_AUDIENCE, c.expiresAt);
}

export function mintDataToken(c: { sessionId: string; tenantId: string; dashboardId: string; versionId: string; sessionExpiresAt: Date }) {
  const expiresAt = new Date(Math.min(Date.now() + DATA_TOKEN_TTL_SECONDS * 1000, c.sessionExpiresAt.getTime()));
  return sign({ jti: c.sessionId, tenant: c.tenantId, dashboard: c.dashboardId, version: c.versionId }, DATA_AUDIENCE, expiresAt);
}

/** The admin preview's data token: its own audience, so it can never stand in for an embed's. */
export function mintPreviewToken(c: Omit<PreviewClaims, "exp" | "jti">) {
  return sign({ jti: crypto.randomUUID(), ...c }, PREVIEW_AUDIENCE, new Date(Date.now() + PREVIEW_TOKEN_TTL_SECONDS * 1000));
}

export type Verified<T> = { ok: true; claims: T } | { ok: false; reason: "invalid" } | { ok: false; reason: "expired"; claims: T };

async function verify<T>(token: string, audience: string, schema: z.ZodType<T>): Promise<Verified<T>> {
  if (typeof token !== "string" || token.length > 8192 || token.split(".").length !== 3) return { ok: false, reason: "invalid" };
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "HS256") return { ok: false, reason: "invalid" };
    kid = header.kid;
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const key = getSecrets().embedSigningKeys.find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: "invalid" };
  const check = async (currentDate?: Date) => {
    const { payload } = await jwtVerify(token, await cryptoKey(key), { algorithms: ["HS256"], issuer: ISSUER, audience, currentDate, requiredClaims: ["exp", "nbf", "iat", "jti"] });
    return schema.parse(payload);
  };
  try {
    return { ok: true, claims: await check() };
  } catch (err) {
    // A genuine, signed token that has only expired: its claims (origins) are still trustworthy,
    // so the embed can answer "expired" to the right host instead of a bare error.
    if ((err as { code?: string }).code === "ERR_JWT_EXPIRED") {
      try {
        // Verify everything else as of one second before expiry (the signature is checked again).
        const exp = decodeJwt(token).exp;
        if (typeof exp !== "number") return { ok: false, reason: "invalid" };
        const claims = await check(new Date((exp - 1) * 1000));
        return { ok: false, reason: "expired", claims };
      } catch {
        return { ok: false, reason: "invalid" };
      }
    }
    return { ok: false, reason: "invalid" };
  }
}

export const verifyEmbedToken = (token: string) => verify(token, EMBED_AUDIENCE, EmbedClaims);
export const verifyDataToken = (token: string) => verify(token, DATA_AUDIENCE, DataClaims);
export const verifyPreviewToken = (token: string) => verify(token, PREVIEW_AUDIENCE, PreviewClaims);
