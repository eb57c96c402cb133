import { withApiKey } from "@/lib/auth/with-api-key";
import { readJson } from "@/lib/http";
import { guardSql } from "@/lib/query/guard";
import { ValidateInput } from "@/lib/query/preview";

export const POST = withApiKey("admin", async (req) => {
  const { sql } = await readJson(req, ValidateInput);
  return Response.json(await guardSql(sql));
});
