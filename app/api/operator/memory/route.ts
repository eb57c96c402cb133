import crypto from "node:crypto";
import { assertOperator } from "@/lib/backup/operator-token";
import { AppError, errorResponse } from "@/lib/errors";
import { memoryReport } from "@/lib/operator/memory";

export const dynamic = "force-dynamic";

/**
 * The server's memory by part (JavaScript heap, engine, caches), for the operator and the soak.
 * Operator token only. `?collect=1` runs a full garbage collection first (a server started with
 * --expose-gc; the report's `collected` says whether it ran).
 */
export async function GET(req: Request): Promise<Response> {
  try {
    assertOperator(req);
    const collect = new URL(req.url).searchParams.get("collect");
    if (collect !== null && collect !== "0" && collect !== "1") throw new AppError("validation_failed", "collect must be 1 (collect garbage first) or 0.");
    return Response.json(await memoryReport({ collect: collect === "1" }), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err, crypto.randomUUID());
  }
}
