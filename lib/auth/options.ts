import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { adminActor, recordAudit } from "@/lib/audit";
import { attemptLogin } from "@/lib/auth/login";
import { oidcProvider, SSO_PROVIDER_ID, ssoConfig, ssoSignIn, type OidcProfile } from "@/lib/auth/sso";
import { usesSecureCookies } from "@/lib/auth/secure-cookies";
import { getEnv, type Env } from "@/lib/env";
import { getSecrets } from "@/lib/secrets";
import { CLIENT_ADDRESS_HEADER } from "@/scripts/server/preflight.mjs";

/** Error codes the login page knows how to explain; never free text from a URL. */
export const LOGIN_ERRORS = {
  throttled: "Too many failed sign-ins. Wait a few minutes and try again.",
  CredentialsSignin: "Wrong email or password.",
  sso_no_email: "Your identity provider did not share a verified email address, so Enclave cannot tell who you are. Ask its administrator to release your email to Enclave.",
  sso_domain: "Your email's domain may not sign in to this console. Sign in with your work address, or ask an owner to allow your domain (OIDC_ALLOWED_DOMAINS).",
  sso_removed: "An owner removed you from this console. Ask an owner to invite you again.",
  sso_not_invited: "This console admits invited teammates only. Ask an owner for an invite, then sign in again.",
  // next-auth's own codes for a provider that failed or refused (discovery, token exchange, ID token).
  OAuthSignin: "Single sign-on could not start: the identity provider did not answer. Try again, or ask an owner to check the OIDC settings.",
  OAuthCallback: "Single sign-on failed on the way back from the identity provider. Try again, or ask an owner to check the OIDC settings.",
  Callback: "Single sign-on failed on the way back from the identity provider. Try again.",
  AccessDenied: "The sign-in was refused.",
} as const;

/**
 * The address scripts/server.mjs set from the socket (or a trusted proxy): it replaces any value
 * a client sends. X-Forwarded-For is never read here; without the server (next dev) it is "unknown".
 */
function clientIp(headers: Record<string, unknown> | undefined): string {
  const address = headers?.[CLIENT_ADDRESS_HEADER];
  return typeof address === "string" && address.length > 0 && address.length <= 64 ? address : "unknown";
}

/** The client address of the request being handled (the callback route), for the audit log. */
async function requestAddress(): Promise<string> {
  try {
    return clientIp(Object.fromEntries((await headers()).entries()));
  } catch {
    return "unknown";
  }
}

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  cached ??= buildAuthOptions(getEnv());
  return cached;
}

type AuthEnv = Pick<Env, "appUrl" | "PASSWORD_SIGN_IN" | "OIDC_ISSUER" | "OIDC_CLIENT_ID" | "OIDC_CLIENT_SECRET" | "OIDC_NAME" | "OIDC_ALLOWED_DOMAINS" | "OIDC_DEFAULT_ROLE">;

/** How admins may sign in, for the login page: the password form, and the single sign-on button's label. */
export function signInMethods(env: AuthEnv = getEnv()): { password: boolean; sso?: { id: string; name: string } } {
  const sso = ssoConfig(env);
  return { password: env.PASSWORD_SIGN_IN === "on", ...(sso ? { sso: { id: SSO_PROVIDER_ID, name: sso.name } } : {}) };
}

/** next-auth's options for the app served at `env.appUrl`: password sign-in unless turned off, single sign-on when configured. */
export function buildAuthOptions(env: AuthEnv): NextAuthOptions {
  const sso = ssoConfig(env);
  return {
    secret: getSecrets().nextAuthSecret,
    // Served over https: Secure cookies with the __Secure-/__Host- prefixes, whatever NEXTAUTH_URL says.
    useSecureCookies: usesSecureCookies(env),
    session: { strategy: "jwt", maxAge: 8 * 3600 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      ...(env.PASSWORD_SIGN_IN === "on" ? [passwordProvider()] : []),
      ...(sso ? [oidcProvider(sso)] : []),
    ],
    callbacks: {
      async signIn({ account, profile, user }) {
        if (account?.provider !== SSO_PROVIDER_ID) return true;
        if (!sso || !profile) return `${env.appUrl}/login?error=AccessDenied`;
        const outcome = await ssoSignIn(sso, profile as OidcProfile, await requestAddress());
        if (!outcome.ok) return `${env.appUrl}/login?error=${outcome.reason}`;
        // The session carries the teammate's id, not the provider's subject: without an adapter
        // next-auth hands this same object to jwt() below (core/routes/callback.js).
        user.id = outcome.user.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user) token.adminId = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user) session.user.id = String(token.adminId ?? "");
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.email) await recordAudit({ actor: adminActor(token.email), action: "auth.logout", target: token.email });
      },
    },
  };
}

function passwordProvider() {
  return CredentialsProvider({
    name: "Email and password",
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(credentials, req) {
      if (!credentials?.email || !credentials.password) return null;
      const outcome = await attemptLogin({ email: credentials.email, password: credentials.password, ip: clientIp(req?.headers) });
      if (outcome.ok) return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name };
      if (outcome.reason === "throttled") throw new Error("throttled");
      return null;
    },
  });
}
