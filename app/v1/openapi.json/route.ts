import { getEnv } from "@/lib/env";
import { buildOpenApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

// Public: the description of the API is not a secret, and tools fetch it without a key.
export function GET() {
  return Response.json(buildOpenApiDocument(getEnv().appUrl), { headers: { "Cache-Control": "public, max-age=300" } });
}
