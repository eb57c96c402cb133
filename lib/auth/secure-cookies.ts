import "server-only";
import { getToken, type JWT } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { getEnv, type Env } from "@/lib/env";
import { getSecrets } from "@/lib/secrets";

// One answer for next-auth's cookie names and flags, used by the sign-in
// handler (lib/auth/options.ts) and by proxy.ts: if they disagreed, the proxy
// would look for a cookie the handler never set and send every admin back to
// the login page.

/** True when the app is served over https (APP_URL): cookies are Secure and named __Secure-/__Host-. */
export function usesSecureCookies(env: Pick<Env, "appUrl"> = getEnv()): boolean {
  return new URL(env.appUrl).protocol === "https:";
}

/** The signed-in admin's session token from the request's cookie, or null. */
export async function readAdminToken(req: NextRequest, env: Pick<Env, "appUrl"> = getEnv()): Promise<JWT | null> {
  return getToken({ req, secret: getSecrets().nextAuthSecret, secureCookie: usesSecureCookies(env) });
}
