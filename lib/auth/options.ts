import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { adminActor, recordAudit } from "@/lib/audit";
import { attemptLogin } from "@/lib/auth/login";
import { usesSecureCookies } from "@/lib/auth/secure-cookies";
import { getEnv, type Env } from "@/lib/env";
import { getSecrets } from "@/lib/secrets";
import { CLIENT_ADDRESS_HEADER } from "@/scripts/server/preflight.mjs";

/** Error codes the login page knows how to explain; never free text from a URL. */
export const LOGIN_ERRORS = {
  throttled: "Too many failed sign-ins. Wait a few minutes and try again.",
  CredentialsSignin: "Wrong email or password.",
} as const;

/**
 * The address scripts/server.mjs set from the socket (or a trusted proxy): it replaces any value
 * a client sends. X-Forwarded-For is never read here; without the server (next dev) it is "unknown".
 */
function clientIp(headers: Record<string, unknown> | undefined): string {
  const address = headers?.[CLIENT_ADDRESS_HEADER];
  return typeof address === "string" && address.length > 0 && address.length <= 64 ? address : "unknown";
}

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  cached ??= buildAuthOptions(getEnv());
  return cached;
}

/** next-auth's options for the app served at `env.appUrl`. */
export function buildAuthOptions(env: Pick<Env, "appUrl">): NextAuthOptions {
  return {
    secret: getSecrets().nextAuthSecret,
    // Served over https: Secure cookies with the __Secure-/__Host- prefixes, whatever NEXTAUTH_URL says.
    useSecureCookies: usesSecureCookies(env),
    session: { strategy: "jwt", maxAge: 8 * 3600 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) return null;
          const outcome = await attemptLogin({ email: credentials.email, password: credentials.password, ip: clientIp(req?.headers) });
          if (outcome.ok) return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name };
          if (outcome.reason === "throttled") throw new Error("throttled");
          return null;
        },
      }),
    ],
    callbacks: {
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
