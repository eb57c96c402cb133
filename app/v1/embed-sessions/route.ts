import { withApiKey } from "@/lib/auth/with-api-key";
import { createEmbedSession } from "@/lib/embed/sessions";
import { readJson } from "@/lib/http";
import { z } from "zod";

// Mint a signed embed session for one tenant and one published dashboard.
export const POST = withApiKey("embed", async (req, ctx) => {
  const body = await readJson(req, z.unknown());
  return Response.json(await createEmbedSession(body, ctx), { status: 201 });
});
