import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { verifyEmbedToken } from "@/lib/embed/tokens";
import { getSecrets } from "@/lib/secrets";

// Two early gates. /embed/<token>: verify the signature and set the framing
// headers from the signed origins (a server component cannot set headers);
// the page then checks the session itself. /admin: redirect signed-out
// requests; pages and server actions check the session again.

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

function embedHeaders(response: NextResponse, origins: string[]): NextResponse {
  const allowed = origins.filter((o) => ORIGIN.test(o));
  response.headers.set("Content-Security-Policy", `frame-ancestors ${allowed.length ? allowed.join(" ") : "'none'"}`);
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

const INVALID_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="enclave-error" content="invalid_token"><title>Embed unavailable</title>
<style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;color:#555;margin:0}</style></head>
<body data-enclave-error="invalid_token"><p>This embed link is not valid.</p></body></html>`;

async function embedGate(req: NextRequest): Promise<NextResponse> {
  let token = "";
  try {
    token = decodeURIComponent(req.nextUrl.pathname.slice("/embed/".length));
  } catch {
    // A malformed %-sequence is just an invalid token.
  }
  const verified = await verifyEmbedToken(token);
  if (!verified.ok && verified.reason === "invalid") {
    return embedHeaders(new NextResponse(INVALID_PAGE, { status: 401, headers: { "Content-Type": "text/html; charset=utf-8" } }), []);
  }
  // Valid or merely expired: the signed origins may frame the page (an expired one shows no data).
  return embedHeaders(NextResponse.next(), verified.claims.origins);
}

export async function proxy(req: NextRequest) {
  if (req.nextUrl.pathname.startsWith("/embed/")) return embedGate(req);
  const token = await getToken({ req, secret: getSecrets().nextAuthSecret });
  if (!token) {
    const login = new URL("/login", req.nextUrl);
    login.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
    return NextResponse.redirect(login);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/admin", "/admin/:path*", "/embed/:path*"],
};
