import { NextResponse, type NextRequest } from "next/server";
import { readAdminToken } from "@/lib/auth/secure-cookies";
import { getEnv } from "@/lib/env";
import { contentSecurityPolicy, newNonce } from "@/scripts/server/security-headers.mjs";

// Runs before Next renders a page (not the API: see the matcher):
// - every response gets a strict Content-Security-Policy with a fresh nonce.
//   Next reads the nonce from the request's policy header and puts it on its
//   own inline scripts; the root layout reads x-nonce for its theme script.
//   Pages therefore render per request (the root layout reads the headers).
// - the early gate of /admin: signed-out requests go to the login page; pages
//   and server actions check the session again.
// /embed/<token> is a route handler that verifies its token and sets its own
// policy, with frame-ancestors from the token's signed origins.

const EMBED_PAGE = /^\/embed\/[^/]+$/;
const ADMIN = /^\/admin(\/|$)/;

export async function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  if (EMBED_PAGE.test(pathname)) return NextResponse.next();

  const nonce = newNonce();
  const policy = contentSecurityPolicy({ nonce, frameAncestors: "none", dev: getEnv().NODE_ENV === "development" });
  let response: NextResponse;
  if (ADMIN.test(pathname) && !(await readAdminToken(req))) {
    const login = new URL("/login", req.nextUrl);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    response = NextResponse.redirect(login);
  } else {
    // Replaces whatever a client sent under these names.
    const headers = new Headers(req.headers);
    headers.set("x-nonce", nonce);
    headers.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Everything but the API (next.config.ts gives it its policy: a proxy would make Next
  // buffer every request body, and cut ingest bodies at 10 MB) and static files.
  matcher: ["/((?!(?:api|v1)(?:/|$)|_next/static/|_next/image|favicon.ico|embed-client/|enclave-embed|screenshots/).*)"],
};
