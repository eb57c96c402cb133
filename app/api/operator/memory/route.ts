import crypto from "node:crypto";
import { assertOperator } from "@/lib/backup/operator-token";
import { errorResponse } from "@/lib/errors";
import { memoryReport } from "@/lib/operator/memory";

export const dynamic = "force-dynamic";

/** The server's memory by part (JavaScript heap, engine, caches), for the operator and the soak. Operator token only. */
export async function GET(req: Request): Promise<Response> {
  try {
    assertOperator(req);
    return Response.json(await memoryReport(), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err, crypto.randomUUID());
  }
}
