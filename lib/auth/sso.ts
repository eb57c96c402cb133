import "server-only";
import crypto from "node:crypto";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { adminActor, recordAudit } from "@/lib/audit";
import { isRole, type Role } from "@/lib/auth/roles";
import { getDb } from "@/lib/db";
import type { Env } from "@/lib/env";

// Single sign-on through OpenID Connect. next-auth runs the protocol (discovery,
// authorization code with PKCE and state, the ID token's signature, issuer,
// audience and nonce); this file decides who may come in:
// - the provider must vouch for an email (not `email_verified: false`) in an
//   allowed domain (OIDC_ALLOWED_DOMAINS);
// - a teammate with that email signs in as themselves, role unchanged;
// - someone with a pending invite joins with the invite's role;
// - someone an owner removed does not come back on their own (a new invite does);
// - anyone else joins with OIDC_DEFAULT_ROLE, or not at all when it is none.
// Owners are never made here. Every decision is audited.

export const SSO_PROVIDER_ID = "oidc";

export type SsoConfig = { issuer: string; clientId: string; clientSecret: string; name: string; allowedDomains: string[]; defaultRole: Role | "none" };

/** The configuration, when all of issuer, client id and secret are set (lib/env.ts checks the rest). */
export function ssoConfig(env: Pick<Env, "OIDC_ISSUER" | "OIDC_CLIENT_ID" | "OIDC_CLIENT_SECRET" | "OIDC_NAME" | "OIDC_ALLOWED_DOMAINS" | "OIDC_DEFAULT_ROLE">): SsoConfig | undefined {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return undefined;
  return {
    issuer: env.OIDC_ISSUER.replace(/\/$/, ""),
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    name: env.OIDC_NAME,
    allowedDomains: env.OIDC_ALLOWED_DOMAINS ?? [],
    defaultRole: env.OIDC_DEFAULT_ROLE,
  };
}

export type OidcProfile = { sub: string; email?: string; email_verified?: boolean | string; name?: string; preferred_username?: string };

/** next-auth's provider: discovery from the issuer, the ID token checked, PKCE and state. */
export function oidcProvider(config: SsoConfig): OAuthConfig<OidcProfile> {
  return {
    id: SSO_PROVIDER_ID,
    name: config.name,
    type: "oauth",
    wellKnown: `${config.issuer}/.well-known/openid-configuration`,
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    // The ID token is checked (signature, issuer, audience, nonce) by the code exchange. Providers
    // that follow OpenID Connect Core 5.4 strictly keep email for the userinfo endpoint when an
    // access token is issued: then it is asked, and openid-client refuses an answer for another subject.
    userinfo: {
      async request({ tokens, client }) {
        // At run time `tokens` is openid-client's TokenSet (next-auth's type says only its fields).
        const set = tokens as unknown as { claims(): OidcProfile } & Parameters<typeof client.userinfo>[0];
        const claims = set.claims();
        if (typeof claims.email === "string") return claims;
        const info = (await client.userinfo(set)) as Partial<OidcProfile>;
        return { ...claims, email: info.email, email_verified: info.email_verified, name: claims.name ?? info.name, preferred_username: claims.preferred_username ?? info.preferred_username };
      },
    },
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? null }),
  };
}

/** Why a sign-in was refused: codes the login page explains (LOGIN_ERRORS). */
export type SsoRefusal = "sso_no_email" | "sso_domain" | "sso_removed" | "sso_not_invited";

export type SsoOutcome = { ok: true; user: { id: string; email: string; role: Role }; joined: boolean } | { ok: false; reason: SsoRefusal };

const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1);

/** Whether `email` is in an allowed domain (exact domain; `*` allows any). */
export function domainAllowed(email: string, allowed: string[]): boolean {
  return allowed.includes("*") || allowed.includes(domainOf(email));
}

/** Decides, and records, a sign-in the provider vouched for. Makes the teammate when they may join. */
export async function ssoSignIn(config: SsoConfig, profile: Pick<OidcProfile, "email" | "email_verified" | "name" | "sub">, ip: string): Promise<SsoOutcome> {
  const email = typeof profile.email === "string" ? profile.email.trim().toLowerCase() : "";
  const refuse = async (reason: SsoRefusal): Promise<SsoOutcome> => {
    await recordAudit({ actor: "anonymous", action: "auth.sso_refused", target: email || `sub:${String(profile.sub).slice(0, 100)}`, meta: { reason, ip } });
    return { ok: false, reason };
  };
  // An address the provider says it has not verified is not an identity.
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 254 || profile.email_verified === false || profile.email_verified === "false") return refuse("sso_no_email");
  if (!domainAllowed(email, config.allowedDomains)) return refuse("sso_domain");

  const db = getDb();
  const existing = await db.adminUser.findUnique({ where: { email } });
  if (existing && isRole(existing.role)) return signedIn({ id: existing.id, email, role: existing.role }, false, ip);

  const name = (profile.name?.trim() || email.slice(0, email.indexOf("@"))).slice(0, 120);
  const joined = await db.$transaction(async (tx) => {
    // A pending invite is an owner's word: it wins over a removal and over the default role.
    const invite = await tx.adminInvite.findFirst({ where: { email, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } });
    let role: Role | undefined;
    if (invite && isRole(invite.role)) {
      const used = await tx.adminInvite.updateMany({ where: { id: invite.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: new Date() } });
      if (used.count === 1) role = invite.role;
    }
    if (!role) {
      if (await tx.removedTeammate.findUnique({ where: { email } })) return "sso_removed" as const;
      if (config.defaultRole === "none") return "sso_not_invited" as const;
      role = config.defaultRole;
    }
    // Two first sign-ins at once make one teammate: the email is unique.
    const user = await tx.adminUser.upsert({ where: { email }, update: {}, create: { id: `adm_${crypto.randomBytes(8).toString("hex")}`, email, name, role, passwordHash: NO_PASSWORD } });
    await tx.removedTeammate.deleteMany({ where: { email } });
    await recordAudit({ actor: adminActor(email), action: "team.join", target: email, meta: { role: user.role, via: invite ? "sso_invite" : "sso" } }, tx);
    return { id: user.id, email, role: isRole(user.role) ? user.role : "viewer" };
  });
  if (typeof joined === "string") return refuse(joined);
  return signedIn(joined, true, ip);
}

async function signedIn(user: { id: string; email: string; role: Role }, joined: boolean, ip: string): Promise<SsoOutcome> {
  await getDb().adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordAudit({ actor: adminActor(user.email), action: "auth.login", target: user.email, meta: { ip, method: "sso" } });
  return { ok: true, user, joined };
}

/**
 * The password hash of a teammate who joined through single sign-on: not a
 * hash of anything, so no password matches it (attemptLogin checks such a
 * teammate against a decoy, in the same time as an unknown email).
 */
export const NO_PASSWORD = "sso-only";
