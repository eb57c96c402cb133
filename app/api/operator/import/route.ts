import crypto from "node:crypto";
import { assertOperator } from "@/lib/backup/operator-token";
import { errorResponse } from "@/lib/errors";
import { answerChunk, answerLedger, answerUpload } from "@/lib/import/import-request";

// Bulk import (`npm run enclave -- import FILE`). Only the operator token in
// DATA_DIR opens it: the server reads only what it is sent and files under
// DATA_DIR/imports that the CLI uploaded, never a path it is given.

function handle(answer: (req: Request, url: URL) => Promise<unknown>) {
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      assertOperator(req);
      return Response.json(await answer(req, new URL(req.url)), { headers: { "Cache-Control": "no-store" } });
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

export const GET = handle((_req, url) => answerLedger(url));
export const PUT = handle((req, url) => answerUpload(req, url));
export const POST = handle((req) => answerChunk(req));
