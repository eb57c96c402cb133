import crypto from "node:crypto";
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { refuseBadAuthRequest } from "@/lib/auth/auth-request";
import { getAuthOptions } from "@/lib/auth/options";
import { AppError, errorResponse } from "@/lib/errors";

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built on the first request, not at import time (`next build` imports this module).
async function handler(req: NextRequest, context: Context) {
  const requestId = crypto.randomUUID();
  const refusal = await refuseBadAuthRequest(req, (await context.params).nextauth);
  if (refusal) return errorResponse(refusal, requestId);
  try {
    return await NextAuth(req as never, context as never, getAuthOptions());
  } catch (err) {
    // next-auth throws on requests it cannot read; what it was goes to the log, the caller gets a 400.
    console.error(`[${requestId}] sign-in request refused: ${err instanceof Error ? err.message : String(err)}`);
    return errorResponse(new AppError("bad_request", "The sign-in request could not be read. Sign in from the login page."), requestId);
  }
}

export { handler as GET, handler as POST };
