import { withApiKey } from "@/lib/auth/with-api-key";
import { readJson } from "@/lib/http";
import { PreviewInput, previewQuery } from "@/lib/query/preview";

export const POST = withApiKey("admin", async (req, ctx) => {
  const input = await readJson(req, PreviewInput);
  return Response.json(await previewQuery({ kind: "api_key", ctx }, input, ctx.requestId));
});
