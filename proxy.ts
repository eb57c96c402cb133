import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { getSecrets } from "@/lib/secrets";

// Early gate for the admin console. Pages and server actions check the session
// again against the database (lib/auth/admin-session.ts); this is not the only check.
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
