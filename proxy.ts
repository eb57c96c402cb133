import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { getSecrets } from "@/lib/secrets";

// The early gate of /admin: signed-out requests go to the login page; pages
// and server actions check the session again. (/embed/<token> is a route
// handler that verifies its token and sets its own framing headers.)

export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: getSecrets().nextAuthSecret });
  if (!token) {
    const login = new URL("/login", req.nextUrl);
    login.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
    return NextResponse.redirect(login);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/admin", "/admin/:path*"],
};
