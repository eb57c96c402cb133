import { embedPage, embedPageHead } from "@/lib/embed/embed-page";
import { toResponse } from "@/lib/embed/embed-response";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ token: string }> };

// /embed/<token> (lib/embed/embed-page.ts). In production scripts/server.mjs
// answers this path itself with the same function; this handler serves it
// under `next dev` and whenever the direct path is not built.
export async function GET(_req: Request, { params }: Context) {
  return toResponse(await embedPage((await params).token));
}

// A link preview's HEAD must not spend a single-use link or run the dashboard's queries.
export async function HEAD(_req: Request, { params }: Context) {
  const { status, headers } = await embedPageHead((await params).token);
  return new Response(null, { status, headers });
}
